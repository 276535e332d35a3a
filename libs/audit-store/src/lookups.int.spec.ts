/**
 * Provenance lookups (table layout 3) against real local servers, with records mapped from the
 * documented event shapes: which task held an address at an instant (an address reused by a
 * later task, an IPv6-only task asked in another spelling), what ran on a host (by EC2 instance
 * id, container instance ARN or id), every run of an image (by digest, repository, tag). The
 * property spec checks the same lookups against a brute-force model on random histories.
 */
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { TaskFacts } from '@ecslog/ecs-event-mapper/testing';
import {
  envelopeOf,
  fixtureRecords,
  loadFixture,
  mappedRecords,
  TASK_LIFECYCLE_FIXTURES,
  taskArnOf,
  taskDetailOf,
} from '@ecslog/ecs-event-mapper/testing';
import type { TaskRun } from '@ecslog/task-runs';
import { createAuditReader } from './audit-reader';
import { createAuditWriter } from './audit-writer';
import { INDEX } from './table-definition';
import type { LocalDynamoDb, LocalDynamoDbKind } from './testing';
import { createAuditTable, localClient, scanTable, startLocalDynamoDb } from './testing';

const RETENTION_DAYS = 3650;
const NOW = Date.parse('2026-11-21T12:00:00.000Z');
const at = (instant: string) => ({ from: instant, to: instant });

/** Task `web` of cluster prod-web: 10.20.41.187 from v2 (PENDING), 03:00:05 → 09:15:06 on 2026-11-20. */
const WEB = TASK_LIFECYCLE_FIXTURES.flatMap((path) => fixtureRecords(path));
const WEB_ID = (WEB[0] as AuditRecord).taskId as string;
const WEB_ADDRESS = '10.20.41.187';
const WEB_IMAGE = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/web';
const WEB_DIGEST = 'sha256:5c1e9d0b7a3f48e2c6d1b9a07f3e2d4c8b6a5f1e0d9c7b3a2e4f6d8c0b1a3e5f';

/** A task detail with its ENI's address set (the generated one is derived from the task id). */
function withAddress(detail: Record<string, unknown>, address: string): Record<string, unknown> {
  const attachments = detail['attachments'] as { details: { name: string; value: string }[] }[];
  const derived = attachments[0]?.details.find((d) => d.name === 'privateIPv4Address')?.value;
  if (derived === undefined) throw new Error('the generated detail has no ENI address');
  return JSON.parse(
    JSON.stringify(detail)
      .replaceAll(`"${derived}"`, `"${address}"`)
      .replaceAll(`ip-${derived.replaceAll('.', '-')}.`, `ip-${address.replaceAll('.', '-')}.`),
  ) as Record<string, unknown>;
}

/** A later task given the same address, 12:00 → 14:00 on 2026-11-20, image worker:3. */
const LATER_ID = '1429bb00000000000000000000000001';
const LATER = (() => {
  const base: TaskFacts = {
    region: 'eu-west-1',
    account: '111122223333',
    clusterName: 'prod-web',
    taskId: LATER_ID,
    family: 'worker',
    revision: 3,
    group: 'family:worker',
    startedBy: 'events-rule/worker',
    launchType: 'FARGATE',
    availabilityZone: 'eu-west-1b',
    cpu: '256',
    memory: '512',
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    version: 2,
    createdAtMs: Date.parse('2026-11-20T12:00:00.000Z'),
    pendingMs: 30_000,
    containers: [{ name: 'worker', image: 'worker:3', lastStatus: 'RUNNING' }],
  };
  const stopped: TaskFacts = {
    ...base,
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    version: 3,
    runMs: 2 * 3_600_000 - 30_000,
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    containers: [{ name: 'worker', image: 'worker:3', lastStatus: 'STOPPED', exitCode: 0 }],
  };
  return [base, stopped].map((facts) => {
    const detail = withAddress(taskDetailOf(facts), WEB_ADDRESS);
    return mappedRecords(
      envelopeOf('ECS Task State Change', detail, {
        id: `00000000-0000-4000-8${String(facts.version).padStart(3, '0')}-${LATER_ID.slice(-12)}`,
        account: facts.account,
        region: facts.region,
        timeMs: Date.parse(detail['updatedAt'] as string),
        resources: [taskArnOf(facts)],
      }),
    )[0] as AuditRecord;
  });
})();

/** An IPv6-only Fargate task (RUNNING since 06:21:10 on 2026-11-20), ENI 2a05:d018:1a4:3f00:…. */
const IPV6 = fixtureRecords('eventbridge/task-running-ipv6-only.json');
const IPV6_ADDRESS = '2a05:d018:1a4:3f00:7c2e:91d4:5b0a:e813';

/** The container instance of i-0f9e8d7c6b5a41302 (cluster batch) and an EC2 task that ran on it. */
const INSTANCE = fixtureRecords('eventbridge/container-instance-draining.json');
const INSTANCE_ARN = (INSTANCE[0] as AuditRecord).resourceArn;
const EC2_INSTANCE_ID = 'i-0f9e8d7c6b5a41302';
const ON_INSTANCE = mappedRecords(
  JSON.parse(
    JSON.stringify(loadFixture('eventbridge/task-stopped-infrastructure.json')).replace(
      /arn:aws:ecs:us-east-1:444455556666:container-instance\/batch\/[0-9a-f]{32}/,
      INSTANCE_ARN,
    ),
  ),
);
const ON_INSTANCE_ID = (ON_INSTANCE[0] as AuditRecord).taskId as string;

const RECORDS = [...WEB, ...LATER, ...IPV6, ...INSTANCE, ...ON_INSTANCE];
const ids = (runs: readonly TaskRun[]) => runs.map((run) => run.record.taskId);

describe.each<LocalDynamoDbKind>(['dynamodb-local', 'dynalite'])('lookups on %s', (kind) => {
  let server: LocalDynamoDb;
  let tableName: string;
  let reader: ReturnType<typeof createAuditReader>;

  beforeAll(async () => {
    server = await startLocalDynamoDb(kind);
    tableName = await createAuditTable(server.client);
    const writer = createAuditWriter({
      client: server.client,
      tableName,
      retentionDays: RETENTION_DAYS,
      now: () => NOW,
    });
    const results = await writer.writeRecords(RECORDS);
    expect(results.filter((r) => r.status === 'failed')).toEqual([]);
    reader = createAuditReader({ client: server.client, tableName, now: () => NOW });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('finds the task that held an address at an instant, and the later task that held it again', async () => {
    expect(
      ids((await reader.runsAtAddress(WEB_ADDRESS, at('2026-11-20T03:12:00.000Z'))).runs),
    ).toEqual([WEB_ID]);
    expect(
      ids((await reader.runsAtAddress(WEB_ADDRESS, at('2026-11-20T13:00:00.000Z'))).runs),
    ).toEqual([LATER_ID]);
    // Between the two, and before the first: nobody.
    expect((await reader.runsAtAddress(WEB_ADDRESS, at('2026-11-20T10:00:00.000Z'))).runs).toEqual(
      [],
    );
    expect((await reader.runsAtAddress(WEB_ADDRESS, at('2026-11-20T02:00:00.000Z'))).runs).toEqual(
      [],
    );
    // A window over both, oldest first; its ends inclusive (WEB stopped at 09:15:06.587).
    const day = await reader.runsAtAddress(WEB_ADDRESS, {
      from: '2026-11-20T00:00:00.000Z',
      to: '2026-11-20T23:59:59.999Z',
    });
    expect(ids(day.runs)).toEqual([WEB_ID, LATER_ID]);
    expect(
      ids((await reader.runsAtAddress(WEB_ADDRESS, at('2026-11-20T09:15:06.587Z'))).runs),
    ).toEqual([WEB_ID]);
    expect((await reader.runsAtAddress(WEB_ADDRESS, at('2026-11-20T09:15:06.588Z'))).runs).toEqual(
      [],
    );
  });

  it('reads one partition, the run items it may need and the open runs: two entries, two items and one open run for a day', async () => {
    const { itemsRead } = await reader.runsAtAddress(WEB_ADDRESS, {
      from: '2026-11-20T00:00:00.000Z',
      to: '2026-11-20T23:59:59.999Z',
    });
    expect(itemsRead).toBe(5);
    // An instant after WEB ended and before LATER: their entries (ended before it or started
    // after it: no run item) and the open run.
    expect(
      (await reader.runsAtAddress(WEB_ADDRESS, at('2026-11-20T10:00:00.000Z'))).itemsRead,
    ).toBe(2);
  });

  it('finds an IPv6-only task by its address in any spelling', async () => {
    for (const spelling of [
      IPV6_ADDRESS,
      IPV6_ADDRESS.toUpperCase(),
      '2a05:d018:01a4:3f00:7c2e:91d4:5b0a:e813',
    ])
      expect(
        ids((await reader.runsAtAddress(spelling, at('2026-11-20T12:00:00.000Z'))).runs),
      ).toEqual([(IPV6[0] as AuditRecord).taskId]);
  });

  it('refuses a malformed address with one line', async () => {
    await expect(
      reader.runsAtAddress('10.20.41.300', at('2026-11-20T03:12:00.000Z')),
    ).rejects.toThrow(new RangeError('IPv4 address with a number above 255: "10.20.41.300"'));
  });

  it('finds what ran on a host by its EC2 instance id, its container instance ARN or id', async () => {
    const window = { from: '2026-11-19T00:00:00.000Z', to: '2026-11-19T23:00:00.000Z' };
    const byEc2 = await reader.runsOnInstance(EC2_INSTANCE_ID, window);
    expect(ids(byEc2.runs)).toEqual([ON_INSTANCE_ID]);
    expect(byEc2.containerInstanceArns).toEqual([INSTANCE_ARN]);
    expect(ids((await reader.runsOnInstance(INSTANCE_ARN, window)).runs)).toEqual([ON_INSTANCE_ID]);
    const id = INSTANCE_ARN.split('/').pop() as string;
    const byId = await reader.runsOnInstance(id, window);
    expect(ids(byId.runs)).toEqual([ON_INSTANCE_ID]);
    expect(byId.containerInstanceArns).toEqual([INSTANCE_ARN]);
    // After the task stopped (13:41:29 on 2026-11-20), nothing; an unknown instance, nothing.
    expect(
      (await reader.runsOnInstance(EC2_INSTANCE_ID, at('2026-11-21T00:00:00.000Z'))).runs,
    ).toEqual([]);
    const unknown = await reader.runsOnInstance('i-0123456789abcdef0', window);
    expect(unknown).toMatchObject({ runs: [], containerInstanceArns: [] });
    await expect(reader.runsOnInstance('i-XYZ', window)).rejects.toThrow(RangeError);
  });

  it('finds every run of an image by digest, repository, tag or repository@digest', async () => {
    const window = { from: '2026-11-20T00:00:00.000Z', to: '2026-11-20T23:59:59.999Z' };
    for (const image of [
      WEB_DIGEST,
      WEB_IMAGE,
      `${WEB_IMAGE}:v2.13.0`,
      `${WEB_IMAGE}@${WEB_DIGEST}`,
    ])
      expect(ids((await reader.runsOfImage(image, window)).runs)).toEqual([WEB_ID]);
    expect((await reader.runsOfImage(`${WEB_IMAGE}:v2.14.0`, window)).runs).toEqual([]);
    expect(ids((await reader.runsOfImage('worker:3', window)).runs)).toEqual([LATER_ID]);
    // Before the run started: no mapping day reaches it.
    expect((await reader.runsOfImage(WEB_DIGEST, at('2026-11-20T02:00:00.000Z'))).runs).toEqual([]);
    await expect(reader.runsOfImage('sha256:5c1e', window)).rejects.toThrow(
      new RangeError('sha256 digest must have 64 hex digits, this one has 4'),
    );
  });

  it('writes one lookup entry per key of an ended run and per latest state; none for an open run or history', async () => {
    const table = await scanTable(server.client, tableName);
    const indexed = table.filter((item) => item[INDEX.lookups.partitionKey] !== undefined);
    expect(
      indexed
        .map((item) => `${item['pk']?.S} ${item['sk']?.S} ${item[INDEX.lookups.partitionKey]?.S}`)
        .sort(),
    ).toEqual(
      [
        `T#${WEB_ID} RUN A#${WEB_ADDRESS}`,
        `T#${LATER_ID} RUN A#${WEB_ADDRESS}`,
        `T#${ON_INSTANCE_ID} RUN C#${INSTANCE_ARN.split('/').pop()}`,
        `R#${INSTANCE_ARN} LATEST E#${EC2_INSTANCE_ID}`,
      ].sort(),
    );
    // Mapping items of the web task's two images (digest and repository each), on its start day.
    expect(
      table
        .filter(
          (item) =>
            item['pk']?.S?.startsWith('M#') && item['sk']?.S?.includes('prod-web#service:web'),
        )
        .map((item) => item['pk']?.S),
    ).toHaveLength(4);
  });

  /** A client of its own whose BatchWriteItem requests holding mapping items `onMappings` sees first. */
  const clientSeeingMappings = (onMappings: (puts: number) => void) => {
    const client = localClient(server.endpoint);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        // The writer's document client sends native items (`"pk":"M#…"`), marshalled later.
        if (String(context.commandName).startsWith('BatchWrite')) {
          const puts = (JSON.stringify(args.input).match(/"pk":(\{"S":)?"M#/g) ?? []).length;
          if (puts > 0) onMappings(puts);
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    return client;
  };

  it('puts each image mapping once per writer, however many concurrent calls name it', async () => {
    const table = await createAuditTable(server.client);
    let mappingPuts = 0;
    const client = clientSeeingMappings((puts) => (mappingPuts += puts));
    try {
      const writer = createAuditWriter({
        client,
        tableName: table,
        retentionDays: RETENTION_DAYS,
        now: () => NOW,
      });
      // Each version of the web task names its two images; v2 on also their digests.
      const calls = await Promise.all(WEB.map((record) => writer.writeRecords([record])));
      expect(calls.flat().filter((r) => r.status === 'failed')).toEqual([]);
      const mappings = (await scanTable(server.client, table)).filter((item) =>
        item['pk']?.S?.startsWith('M#'),
      );
      expect(mappings).toHaveLength(4);
      expect(mappingPuts).toBe(4);
    } finally {
      client.destroy();
    }
  });

  it('fails the records whose mappings a concurrent call was putting and could not store', async () => {
    const table = await createAuditTable(server.client);
    let refuse = true;
    const client = clientSeeingMappings(() => {
      if (refuse)
        throw Object.assign(new Error('refused for the test'), { name: 'AccessDeniedException' });
    });
    try {
      const writer = createAuditWriter({
        client,
        tableName: table,
        retentionDays: RETENTION_DAYS,
        now: () => NOW,
      });
      const stopped = WEB[6] as AuditRecord;
      const stopping = WEB[5] as AuditRecord;
      // The first call registers its mappings before the second starts: the second leaves them to it.
      const [first, second] = await Promise.all([
        writer.writeRecords([stopped]),
        writer.writeRecords([stopping]),
      ]);
      expect(first.map((r) => r.status)).toEqual(['failed']);
      expect(second.map((r) => r.status)).toEqual(['failed']);
      expect(second[0]?.error?.message).toMatch(
        /^image mapping M#\S+ was not stored by the concurrent call putting it$/,
      );
      // Redelivered, they are stored.
      refuse = false;
      const again = await writer.writeRecords([stopping, stopped]);
      expect(again.filter((r) => r.status === 'failed')).toEqual([]);
      expect(
        (await scanTable(server.client, table)).filter((item) => item['pk']?.S?.startsWith('M#')),
      ).toHaveLength(4);
    } finally {
      client.destroy();
    }
  });
});
