import fc from 'fast-check';
import { LAKE_COLUMNS, lakePartition, mapEvent, toLakeRow } from './index';
import type { AuditRecord } from './index';
import { ecsInputArb, fixtureRecords, loadFixture } from './testing';

const columnNames = LAKE_COLUMNS.map((c) => c.name);

describe('toLakeRow', () => {
  it('declares unique snake_case columns with Glue types', () => {
    expect(new Set(columnNames).size).toBe(columnNames.length);
    for (const column of LAKE_COLUMNS) {
      expect(column.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(column.type).toMatch(/^(string|int|bigint|boolean|array<.+>)$/);
      expect(column.comment.length).toBeGreaterThan(0);
    }
    expect(columnNames).not.toContain('group');
  });

  it('flattens an OOM task record', () => {
    const result = mapEvent(loadFixture('eventbridge/task-stopped-oom.json'));
    if (result.kind !== 'mapped') throw new Error('fixture must map');
    const record = result.records[0]!;

    const row = toLakeRow(record);

    expect(row).toMatchObject({
      record_id: record.recordId,
      record_type: 'task',
      task_group: record.group,
      outcome_status: 'failed',
      outcome_category: 'out-of-memory',
      caller: null,
    });
    expect(row['containers']).toContainEqual(
      expect.objectContaining({
        exit_code: 137,
        reason: expect.stringContaining('OutOfMemoryError'),
      }),
    );
    expect(lakePartition(record)).toEqual({ dt: record.eventTime.slice(0, 10) });
  });

  it('names the churn of a task stopped by a deployment scaling it in, and none on a failure', () => {
    const stopped = mapEvent(loadFixture('eventbridge/task-lifecycle-07-stopped.json'));
    const oom = mapEvent(loadFixture('eventbridge/task-stopped-oom.json'));
    if (stopped.kind !== 'mapped' || oom.kind !== 'mapped') throw new Error('fixtures must map');

    expect(toLakeRow(stopped.records[0]!)).toMatchObject({
      outcome_status: 'stopped',
      outcome_churn: 'scale-in',
      outcome_category: null,
    });
    expect(toLakeRow(oom.records[0]!)).toMatchObject({ outcome_churn: null });
  });

  it('carries the desired count of an UpdateService call, and none on other rows', () => {
    const [update] = fixtureRecords('cloudtrail/update-service.json');
    const [oom] = fixtureRecords('eventbridge/task-stopped-oom.json');

    expect(toLakeRow(update!)).toMatchObject({ event_name: 'UpdateService', desired_count: 6 });
    expect(toLakeRow(oom!)).toMatchObject({ desired_count: null });
  });

  it('carries a task’s provenance: ENI, platform version, container instance, digests and runtime ids', () => {
    const [fargate] = fixtureRecords('eventbridge/task-lifecycle-04-running.json');
    const [ec2] = fixtureRecords('eventbridge/task-running-ec2-bridge.json');
    const [ipv6Only] = fixtureRecords('eventbridge/task-running-ipv6-only.json');

    expect(toLakeRow(fargate!)).toMatchObject({
      schema_version: 2,
      platform_version: '1.4.0',
      container_instance_arn: null,
      eni_id: 'eni-0d93b1f27c4a8e615',
      private_ipv4: '10.20.41.187',
      ipv6: null,
      subnet_id: 'subnet-0a7e3c91d24b5f680',
      mac_address: '06:3f:9a:2c:71:d4',
      private_dns_name: 'ip-10-20-41-187.eu-west-1.compute.internal',
    });
    expect(toLakeRow(fargate!)['containers']).toContainEqual(
      expect.objectContaining({
        name: 'web',
        image_digest: 'sha256:5c1e9d0b7a3f48e2c6d1b9a07f3e2d4c8b6a5f1e0d9c7b3a2e4f6d8c0b1a3e5f',
        runtime_id: '7f3c9a1e5b2d4c8f9a6e0b1d2c3f4a5b-2418806513',
      }),
    );
    expect(toLakeRow(ec2!)).toMatchObject({
      container_instance_arn: ec2!.containerInstanceArn,
      eni_id: null,
      private_ipv4: null,
    });
    expect(toLakeRow(ipv6Only!)).toMatchObject({
      private_ipv4: null,
      ipv6: '2a05:d018:1a4:3f00:7c2e:91d4:5b0a:e813',
    });
  });

  it('a stored schema-1 record (no provenance) gives its row, the new columns null', () => {
    const stored = JSON.parse(
      JSON.stringify({
        ...fixtureRecords('eventbridge/task-stopped-oom.json')[0],
        schemaVersion: 1,
        platformVersion: undefined,
        network: undefined,
        containers: [{ name: 'web', image: 'web:1', lastStatus: 'STOPPED', exitCode: 137 }],
      }),
    ) as AuditRecord;

    const row = toLakeRow(stored);

    expect(Object.keys(row)).toEqual(columnNames);
    expect(row).toMatchObject({ schema_version: 1, platform_version: null, eni_id: null });
    expect(row['containers']).toEqual([
      {
        name: 'web',
        image: 'web:1',
        image_digest: null,
        runtime_id: null,
        last_status: 'STOPPED',
        exit_code: 137,
        reason: null,
      },
    ]);
  });

  it('rows survive a JSON round trip with exactly the declared columns, in order', () => {
    fc.assert(
      fc.property(ecsInputArb, (event) => {
        const result = mapEvent(event);
        if (result.kind !== 'mapped') throw new Error('generated inputs map');
        for (const record of result.records) {
          const line = JSON.stringify(toLakeRow(record));
          const row = JSON.parse(line) as Record<string, unknown>;

          expect(Object.keys(row)).toEqual(columnNames);
          expect(row).toEqual(toLakeRow(record));
          expect(row['event_time']).toBe(record.eventTime);
          for (const column of LAKE_COLUMNS) {
            const value = row[column.name];
            if (value === null) continue;
            if (column.type === 'string') expect(typeof value).toBe('string');
            else if (column.type === 'int' || column.type === 'bigint')
              expect(Number.isInteger(value)).toBe(true);
            else if (column.type === 'boolean') expect(typeof value).toBe('boolean');
            else expect(Array.isArray(value)).toBe(true);
          }
        }
      }),
    );
  });

  it('partitions by the UTC day of eventTime', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) }), (ms) => {
        const eventTime = new Date(ms).toISOString();
        const { dt } = lakePartition({ eventTime });
        expect(dt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(Date.parse(`${dt}T00:00:00.000Z`)).toBe(ms - (ms % 86_400_000));
      }),
    );
  });
});
