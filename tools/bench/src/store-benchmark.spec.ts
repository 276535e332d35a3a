import { mapEvent } from '@ecslog/ecs-event-mapper';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { sampleLiveTraffic } from '@ecslog/ecs-event-mapper/testing';
import { groupOf } from '@ecslog/audit-store';
import { isActiveDuring, toTaskRuns } from '@ecslog/task-runs';
import { failedConditionUnits, itemKindOf, partitionKindOf } from './capacity-meter';
import { modelRunsOf, readWindowsOf, toAttributeValues } from './store-benchmark';

const records: AuditRecord[] = sampleLiveTraffic({ events: 600, seed: 7 }).flatMap((event) => {
  const result = mapEvent(event);
  return result.kind === 'mapped' ? result.records : [];
});

describe('readWindowsOf (the questions the store benchmark asks)', () => {
  it('asks the last hour and 24 hours, a middle hour and instant, and the busiest group', () => {
    const last = Math.max(...records.map((r) => Date.parse(r.eventTime)));

    const windows = readWindowsOf(records);

    expect(windows.map((w) => w.name.replace(/ of .*/, ''))).toEqual([
      'last hour',
      'last 24 h',
      'past hour, middle',
      'instant, middle',
      '24 h',
    ]);
    const spans = windows.map((w) => Date.parse(w.window.to) - Date.parse(w.window.from));
    expect(spans).toEqual([3_600_000, 86_400_000, 3_600_000, 0, 86_400_000]);
    expect(Date.parse(windows[0]?.window.to ?? '')).toBe(last);
    const scope = windows[4]?.scope;
    const runsOf = (cluster?: string, group?: string) =>
      toTaskRuns(records).filter(
        (run) => run.record.clusterName === cluster && groupOf(run.record) === group,
      ).length;
    const busiest = runsOf(scope?.cluster, scope?.group);
    for (const run of toTaskRuns(records))
      expect(runsOf(run.record.clusterName, groupOf(run.record))).toBeLessThanOrEqual(busiest);
  });
});

describe('modelRunsOf (the brute-force answer)', () => {
  it('is every run active in the window, limited to the scope', () => {
    const { window, scope } = readWindowsOf(records)[4] ?? { window: { from: '', to: '' } };
    const all = toTaskRuns(records).filter((run) => isActiveDuring(run, window));

    const scoped = modelRunsOf(records, window, scope);

    expect(modelRunsOf(records, window)).toEqual(all);
    expect(scoped.length).toBeGreaterThan(0);
    expect(scoped.length).toBeLessThan(all.length);
    expect(
      scoped.every(
        (run) => run.record.clusterName === scope?.cluster && groupOf(run.record) === scope?.group,
      ),
    ).toBe(true);
  });
});

describe('capacity accounting', () => {
  it('names an item by its keys', () => {
    expect(itemKindOf({ pk: 'T#1', sk: 'RUN' })).toBe('run');
    expect(itemKindOf({ pk: 'N#x', sk: 'RUN' })).toBe('never-started');
    expect(itemKindOf({ pk: 'A#D#2026-11-20#1', sk: 'c#g#1' })).toBe('carry');
    expect(itemKindOf({ pk: 'R#arn', sk: 'LATEST' })).toBe('latest-state');
    expect(itemKindOf({ pk: 'T#1', sk: 'H#2026-11-20T00:00:00.000Z#v1' })).toBe('history');
    expect(itemKindOf({ pk: 'T#1', sk: 'L#A6' })).toBe('companion');
    expect(itemKindOf({ pk: 'M#sha256:ab', sk: '2026-11-20#prod#service:web' })).toBe('mapping');
    expect(partitionKindOf('S#OPEN#2')).toBe('runs index, open');
    expect(partitionKindOf('S#2026-11-20T03#2')).toBe('runs index, by start hour');
    expect(partitionKindOf('A#H#2026-11-20T03#0')).toBe('hour carries');
  });

  it('bills a failed condition 1 unit per started KB of the item, at least 1', () => {
    const item = (bytes: number) => ({ pk: 'T#1', sk: 'RUN', r: new Uint8Array(bytes) });

    expect(failedConditionUnits({ pk: 'T#1', sk: 'RUN' })).toBe(1);
    expect(failedConditionUnits(item(1024 - 'pkT#1skRUNr'.length))).toBe(1);
    expect(failedConditionUnits(item(1025 - 'pkT#1skRUNr'.length))).toBe(2);
  });

  it('writes native items as attribute values', () => {
    const bytes = new Uint8Array([1, 2]);

    expect(toAttributeValues({ pk: 'T#1', ttl: 17, r: bytes })).toEqual({
      pk: { S: 'T#1' },
      ttl: { N: '17' },
      r: { B: bytes },
    });
  });
});
