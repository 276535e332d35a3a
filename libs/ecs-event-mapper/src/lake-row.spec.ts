import fc from 'fast-check';
import { LAKE_COLUMNS, lakePartition, mapEvent, toLakeRow } from './index';
import { ecsInputArb, loadFixture } from './testing';

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
