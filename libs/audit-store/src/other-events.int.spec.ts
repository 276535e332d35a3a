import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { MAX_KEPT_DETAIL_LENGTH } from '@ecslog/ecs-event-mapper';
import { loadFixture, mappedRecords } from '@ecslog/ecs-event-mapper/testing';
import { createAuditReader } from './audit-reader';
import { createAuditWriter } from './audit-writer';
import type { LocalDynamoDb } from './testing';
import { createAuditTable, startDynalite, startDynamoDbLocal } from './testing';

const NOW = Date.parse('2026-11-21T00:00:00Z');
const DAY = { from: '2026-11-20T00:00:00.000Z', to: '2026-11-20T23:59:59.999Z' };
const one = (name: string): AuditRecord =>
  mappedRecords(loadFixture(`eventbridge/${name}.json`))[0]!;

/** An ECS event of a detail-type nobody models, with a detail over the size limit. */
const futureEvent = {
  version: '0',
  id: '2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5f70',
  'detail-type': 'ECS Something New',
  source: 'aws.ecs',
  account: '444455556666',
  time: '2026-11-20T18:30:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:ecs:us-east-1:444455556666:task/batch/0a1b2c3d4e5f60718293a4b5c6d7e8f9'],
  detail: {
    clusterArn: 'arn:aws:ecs:us-east-1:444455556666:cluster/batch',
    blob: 'z'.repeat(50_000),
  },
};

const SERVERS: [string, () => Promise<LocalDynamoDb>][] = [
  ['dynamodb-local', startDynamoDbLocal],
  ['dynalite', startDynalite],
];

describe.each(SERVERS)('ECS events beyond the classic detail-types, stored on %s', (_, start) => {
  let server: LocalDynamoDb;
  let tableName: string;
  const writer = () =>
    createAuditWriter({ client: server.client, tableName, retentionDays: 30, now: () => NOW });
  const reader = () => createAuditReader({ client: server.client, tableName, now: () => NOW });

  beforeAll(async () => {
    server = await start();
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    tableName = await createAuditTable(server.client);
  });

  it('lists health changes, daemon events and generic records by day, oldest first, and nothing else', async () => {
    const health = one('container-instance-health-gpu-impaired');
    const daemon = one('daemon-service-action-task-failed-to-run');
    const deployment = one('daemon-deployment-pending');
    const generic = mappedRecords(futureEvent)[0]!;
    const serviceAction = one('service-action-placement-failure');
    const stateChange = one('container-instance-draining');

    const results = await writer().writeRecords([
      generic,
      serviceAction,
      deployment,
      stateChange,
      daemon,
      health,
    ]);
    const other = await reader().otherEvents(DAY);

    expect(results.map((r) => r.status)).toEqual(Array(6).fill('written'));
    expect(other.map((r) => r.recordId)).toEqual(
      [health, daemon, deployment, generic]
        .sort((a, b) => a.eventTime.localeCompare(b.eventTime))
        .map((r) => r.recordId),
    );
    // Read back as written: the detail too (cut at the limit, flagged).
    expect(JSON.parse(JSON.stringify(other.find((r) => r.recordId === generic.recordId)))).toEqual(
      JSON.parse(JSON.stringify(generic)),
    );
    expect(generic.detail).toHaveLength(MAX_KEPT_DETAIL_LENGTH);
    expect(generic.detailTruncated).toBe(true);
    // The day after holds none of them.
    expect(
      await reader().otherEvents({
        from: '2026-11-21T00:00:00.000Z',
        to: '2026-11-21T23:59:59.999Z',
      }),
    ).toEqual([]);
  });

  it('keeps a container instance’s latest state by version: a health change never replaces it', async () => {
    const stateChange = one('container-instance-draining');
    const health = {
      ...one('container-instance-health-gpu-impaired'),
      // The same instance as the state change, later.
      resourceArn: stateChange.resourceArn,
      recordId: `container-instance:${stateChange.resourceArn}:health:a8d42c60`,
      eventTime: '2026-11-20T23:00:00.000Z',
    };

    await writer().writeRecords([stateChange]);
    await writer().writeRecords([health]);
    const latest = await reader().latest(stateChange.resourceArn);
    const history = await reader().history(stateChange.resourceArn);

    expect(latest?.recordId).toBe(stateChange.recordId);
    expect(history.records.map((r) => r.recordId)).toEqual([stateChange.recordId, health.recordId]);
  });

  it('puts an impaired instance and a daemon that cannot start on the failures index, once however often delivered', async () => {
    const health = one('container-instance-health-gpu-impaired');
    const daemon = one('daemon-service-action-task-creation-failed');

    await writer().writeRecords([health, daemon]);
    await writer().writeRecords([health]);
    const failures = await reader().failures(DAY);

    expect(failures.map((r) => [r.recordId, r.outcome.category])).toEqual([
      [health.recordId, 'infrastructure'],
      [daemon.recordId, 'placement'],
    ]);
  });
});
