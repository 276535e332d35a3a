/**
 * The provenance lookups' promise, as a property against real servers: random task lives (the
 * store property's), each given a network, a host and images from small pools — so addresses and
 * hosts are reused by later tasks, some tasks have no ENI, some are IPv6-only or dual-stack, an
 * address appears only from some version on, IPv6 is stored in non-canonical spellings — and
 * delivered in any order with duplicates, leave
 * (a) the same table as the records written once, in order — and the table the codec says;
 * (b) `runsAtAddress` equal to the brute-force model (the runs active in the window whose telling
 *     record gives the task that address), for any window or instant, asked in any spelling;
 * (c) `runsOnInstance` (by EC2 instance id, container instance ARN or id) and `runsOfImage` (by
 *     digest, repository, repository:tag) equal to theirs.
 */
import fc from 'fast-check';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { fixtureRecords } from '@ecslog/ecs-event-mapper/testing';
import type { TaskRun, TimeWindow } from '@ecslog/task-runs';
import { isActiveDuring, toTaskRuns } from '@ecslog/task-runs';
import { createAuditReader } from './audit-reader';
import { createAuditWriter } from './audit-writer';
import { storedItemsOf } from './item-codec';
import type { LocalDynamoDb, LocalDynamoDbKind, RawItem } from './testing';
import {
  createAuditTable,
  deliveriesOf,
  instantArb,
  LIVES_EPOCH,
  scanTable,
  startLocalDynamoDb,
  taskLivesArb,
} from './testing';

const RETENTION_DAYS = 3650;
const NOW = LIVES_EPOCH + 10 * 86_400_000;
const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const SEED = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);

const IPV4 = ['10.0.0.5', '10.0.0.6', '10.0.0.7'];
/** Canonical IPv6 addresses, each with spellings a task's ENI may report (lower case). */
const IPV6 = [
  {
    canonical: '2001:db8::5',
    spellings: ['2001:db8::5', '2001:0db8:0000:0000:0000:0000:0000:0005', '2001:db8:0:0::5'],
  },
  { canonical: '2001:db8:1::a', spellings: ['2001:db8:1:0:0:0:0:a', '2001:db8:1::a'] },
];
const INSTANCE_IDS = [
  '0123456789abcdef0123456789abcd01',
  '0123456789abcdef0123456789abcd02',
  // The container instance of the StopTask / RunTask fixtures' tasks (calls-only lives).
  '547f8afa6e53552cd229d4bd53dcb1b1',
];
const instanceArnOf = (id: string) =>
  `arn:aws:ecs:eu-west-1:111122223333:container-instance/batch/${id}`;
/** EC2 instance ids of the container instances that have a state change in the store. */
const EC2_IDS = ['i-0aaaaaaaaaaaaaaa1', 'i-0bbbbbbbbbbbbbbb2'];
const REPOSITORIES = ['reg.example.com/web', 'reg.example.com/api'];
const TAGS = ['v1', 'v2'];
const DIGESTS = ['1', '2', '3'].map((d) => `sha256:${d.repeat(64)}`);

/** A container instance's state change, the fixture's moved to `id` on EC2 instance `ec2`. */
const INSTANCE_TEMPLATE = JSON.stringify(
  fixtureRecords('eventbridge/container-instance-draining.json')[0],
);
const instanceRecordOf = (id: string, ec2: string): AuditRecord => {
  const record = JSON.parse(INSTANCE_TEMPLATE) as AuditRecord;
  const from = record.resourceArn;
  return JSON.parse(
    INSTANCE_TEMPLATE.replaceAll(from, instanceArnOf(id)).replaceAll(
      record.ec2InstanceId as string,
      ec2,
    ),
  ) as AuditRecord;
};

interface Provenance {
  ipv4?: string;
  ipv6?: { canonical: string; spelling: string };
  instanceId?: string;
  /** State changes of lower versions have no ENI yet (PROVISIONING reports only its subnet). */
  fromVersion: number;
  images: { repository: string; tag: string; digest: string }[];
}

const provenanceArb: fc.Arbitrary<Provenance> = fc
  .record({
    network: fc.constantFrom('none', 'ipv4', 'ipv6', 'dual'),
    ipv4: fc.constantFrom(...IPV4),
    ipv6: fc
      .constantFrom(...IPV6)
      .chain(({ canonical, spellings }) =>
        fc.constantFrom(...spellings).map((spelling) => ({ canonical, spelling })),
      ),
    instance: fc.option(fc.constantFrom(...INSTANCE_IDS), { nil: undefined }),
    fromVersion: fc.integer({ min: 1, max: 3 }),
    images: fc.array(
      fc.record({
        repository: fc.constantFrom(...REPOSITORIES),
        tag: fc.constantFrom(...TAGS),
        digest: fc.constantFrom(...DIGESTS),
      }),
      { minLength: 1, maxLength: 2 },
    ),
  })
  .map(({ network, ipv4, ipv6, instance, fromVersion, images }) => ({
    ...(network === 'ipv4' || network === 'dual' ? { ipv4 } : {}),
    ...(network === 'ipv6' || network === 'dual' ? { ipv6 } : {}),
    ...(instance !== undefined ? { instanceId: instance } : {}),
    fromVersion,
    images,
  }));

/** A task state change given the life's provenance (API calls keep what the mapper read). */
function withProvenance(record: AuditRecord, p: Provenance): AuditRecord {
  if (record.recordType !== 'task') return record;
  const { network: _network, containerInstanceArn: _instance, ...rest } = record;
  const attached = (record.version ?? 0) >= p.fromVersion;
  const network =
    attached && (p.ipv4 !== undefined || p.ipv6 !== undefined)
      ? {
          interfaceId: 'eni-0123456789abcdef0',
          ...(p.ipv4 !== undefined && { privateIpv4: p.ipv4 }),
          ...(p.ipv6 !== undefined && { ipv6: p.ipv6.spelling }),
        }
      : undefined;
  return {
    ...rest,
    ...(network !== undefined && { network }),
    ...(p.instanceId !== undefined && { containerInstanceArn: instanceArnOf(p.instanceId) }),
    containers: (record.containers ?? []).map((container, index) => {
      const image = p.images[index % p.images.length] as Provenance['images'][number];
      return {
        ...container,
        image: `${image.repository}:${image.tag}`,
        ...(attached && { imageDigest: image.digest }),
      };
    }),
  };
}

/** A window or instant; up to `maxDays` long. */
const windowArb = (maxDays: number): fc.Arbitrary<TimeWindow> =>
  fc
    .record({
      fromMs: instantArb(LIVES_EPOCH - 45 * DAY_MS, LIVES_EPOCH + 50 * DAY_MS),
      length: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 0, max: 6 * 3_600_000 }),
        fc.integer({ min: 0, max: maxDays * DAY_MS }),
      ),
    })
    .map(({ fromMs, length }) => ({ from: iso(fromMs), to: iso(fromMs + length) }));

/** An address as asked: any pool address (or one no task has), in any spelling. */
const addressQueryArb = fc.oneof(
  fc.constantFrom(...IPV4, '10.0.0.99').map((text) => ({ text, canonical: text })),
  fc
    .constantFrom(...IPV6)
    .chain(({ canonical, spellings }) =>
      fc.constantFrom(...spellings, canonical.toUpperCase()).map((text) => ({ text, canonical })),
    ),
);

const instanceQueryArb = fc.oneof(
  fc.constantFrom(...INSTANCE_IDS).map((id) => ({ text: id, ids: [id] })),
  fc.constantFrom(...INSTANCE_IDS).map((id) => ({ text: instanceArnOf(id), ids: [id] })),
  fc.nat(EC2_IDS.length - 1).map((i) => ({ text: EC2_IDS[i] as string, ids: [INSTANCE_IDS[i]] })),
);

const imageQueryArb = fc.oneof(
  fc.constantFrom(...DIGESTS).map((digest) => ({ text: digest, digest })),
  fc.constantFrom(...REPOSITORIES).map((repository) => ({ text: repository, repository })),
  fc
    .record({ repository: fc.constantFrom(...REPOSITORIES), tag: fc.constantFrom(...TAGS) })
    .map(({ repository, tag }) => ({ text: `${repository}:${tag}`, repository, tag })),
);

const caseArb = taskLivesArb({ minLength: 1, maxLength: 8 }).chain((lives) =>
  fc.array(provenanceArb, { minLength: lives.length, maxLength: lives.length }).chain((given) => {
    const records = [
      ...lives.flatMap((life, i) =>
        life.records.map((record) => withProvenance(record, given[i] as Provenance)),
      ),
      // The first two container instances have a latest state naming their EC2 instance.
      ...EC2_IDS.map((ec2, i) => instanceRecordOf(INSTANCE_IDS[i] as string, ec2)),
    ];
    return fc.record({
      records: fc.constant(records),
      calls: deliveriesOf(records, 30),
      // An address or host is one partition whatever the window; an image's lookup reads the
      // run index hour by hour in each group it ran in, so its windows are kept to two days.
      addresses: fc.array(fc.tuple(addressQueryArb, windowArb(20)), { minLength: 2, maxLength: 4 }),
      instances: fc.array(fc.tuple(instanceQueryArb, windowArb(20)), {
        minLength: 1,
        maxLength: 2,
      }),
      images: fc.array(fc.tuple(imageQueryArb, windowArb(2)), { minLength: 1, maxLength: 2 }),
    });
  }),
);

/** The model's facts of a telling record, read field by field (not through the lookup code). */
const heldAddress = (run: TaskRun, canonical: string) => {
  const network = run.record.network;
  if (network?.privateIpv4 === canonical) return true;
  const spelled = IPV6.find((address) => address.canonical === canonical)?.spellings ?? [];
  return network?.ipv6 !== undefined && spelled.includes(network.ipv6);
};
const ranOn = (run: TaskRun, ids: readonly (string | undefined)[]) =>
  ids.some((id) => id !== undefined && run.record.containerInstanceArn?.endsWith(`/${id}`));
const ranImage = (
  run: TaskRun,
  image: { digest?: string; repository?: string; tag?: string },
): boolean =>
  (run.record.containers ?? []).some(
    (container) =>
      (image.digest === undefined || container.imageDigest === image.digest) &&
      (image.repository === undefined ||
        container.image ===
          `${image.repository}:${image.tag ?? (container.image ?? '').split(':').pop()}`),
  );

const told = (runs: readonly TaskRun[]) =>
  runs.map((run) => `${run.id} ${run.record.recordId} ${run.end} ${run.endTime ?? ''}`).sort();
const asScanned = (items: ReturnType<typeof storedItemsOf>): RawItem[] =>
  items
    .map((item) => marshall(item) as RawItem)
    .sort((a, b) => {
      const key = (i: RawItem) => `${i['pk']?.S ?? ''}\u0000${i['sk']?.S ?? ''}`;
      return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
    });

describe.each<LocalDynamoDbKind>(['dynamodb-local', 'dynalite'])(
  'lookups property on %s',
  (kind) => {
    let server: LocalDynamoDb;

    beforeAll(async () => {
      server = await startLocalDynamoDb(kind);
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('answers address, instance and image lookups like the model, whatever the delivery', async () => {
      console.log(`lookups property on ${kind}: seed ${SEED} (replay with FC_SEED=${SEED})`);
      await fc.assert(
        fc.asyncProperty(caseArb, async ({ records, calls, addresses, instances, images }) => {
          const [delivered, inOrder] = await Promise.all([
            createAuditTable(server.client),
            createAuditTable(server.client),
          ]);
          const writerOf = (tableName: string) =>
            createAuditWriter({
              client: server.client,
              tableName,
              retentionDays: RETENTION_DAYS,
              now: () => NOW,
            });
          const writer = writerOf(delivered);
          for (const call of calls) {
            const results = await writer.writeRecords(call);
            expect(results.filter((r) => r.status === 'failed')).toEqual([]);
          }
          await writerOf(inOrder).writeRecords(records);

          // (a) One table, whatever the delivery; the codec's table.
          const table = await scanTable(server.client, delivered);
          expect(table).toEqual(await scanTable(server.client, inOrder));
          expect(table).toEqual(asScanned(storedItemsOf(records, RETENTION_DAYS)));

          const reader = createAuditReader({
            client: server.client,
            tableName: delivered,
            now: () => NOW,
          });
          const model = toTaskRuns(records);
          // (b) Addresses.
          for (const [address, window] of addresses) {
            const { runs } = await reader.runsAtAddress(address.text, window);
            expect(told(runs)).toEqual(
              told(
                model.filter(
                  (run) => isActiveDuring(run, window) && heldAddress(run, address.canonical),
                ),
              ),
            );
          }
          // (c) Hosts and images.
          for (const [instance, window] of instances) {
            const { runs } = await reader.runsOnInstance(instance.text, window);
            expect(told(runs)).toEqual(
              told(model.filter((run) => isActiveDuring(run, window) && ranOn(run, instance.ids))),
            );
          }
          for (const [image, window] of images) {
            const { runs } = await reader.runsOfImage(image.text, window);
            expect(told(runs)).toEqual(
              told(model.filter((run) => isActiveDuring(run, window) && ranImage(run, image))),
            );
          }
        }),
        { numRuns: 5, seed: SEED },
      );
    }, 180_000); // 32 s in a loaded CI run, 18 s idle
  },
);
