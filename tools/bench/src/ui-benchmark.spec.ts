import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import type { TaskRun } from '@ecslog/task-runs';
import type { ViewChoice } from './ui-benchmark';
import {
  baselineCandidates,
  chooseView,
  itemsReadOf,
  renameClusters,
  runsInView,
  runsOfEvents,
  simulatedDays,
  viewName,
  viewQuery,
} from './ui-benchmark';

describe('renameClusters', () => {
  const names = new Map([
    ['data', 'data-2'],
    ['batch', 'batch-2'],
  ]);

  it('renames the cluster in every ECS ARN and in a CloudTrail cluster parameter, nothing else', () => {
    const event = {
      detail: {
        clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/data',
        taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/data/0a1b2c3d4e5f60718293a4b5c6d7e8f9',
        containerInstanceArn:
          'arn:aws:ecs:eu-west-1:111122223333:container-instance/batch/5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b',
        group: 'family:data-export',
        capacityProviderName: 'batch-ec2-capacity',
        stoppedReason: 'batch job data load failed',
        requestParameters: { cluster: 'batch', taskDefinition: 'data-export:3' },
        containers: [
          {
            containerArn:
              'arn:aws:ecs:eu-west-1:111122223333:container/data/0a1b2c3d4e5f60718293a4b5c6d7e8f9/3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
          },
        ],
      },
      resources: ['arn:aws:ecs:eu-west-1:111122223333:task/data/0a1b2c3d4e5f60718293a4b5c6d7e8f9'],
    };

    expect(renameClusters(event, names)).toEqual({
      detail: {
        clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/data-2',
        taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/data-2/0a1b2c3d4e5f60718293a4b5c6d7e8f9',
        containerInstanceArn:
          'arn:aws:ecs:eu-west-1:111122223333:container-instance/batch-2/5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b',
        group: 'family:data-export',
        capacityProviderName: 'batch-ec2-capacity',
        stoppedReason: 'batch job data load failed',
        requestParameters: { cluster: 'batch-2', taskDefinition: 'data-export:3' },
        containers: [
          {
            containerArn:
              'arn:aws:ecs:eu-west-1:111122223333:container/data-2/0a1b2c3d4e5f60718293a4b5c6d7e8f9/3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
          },
        ],
      },
      resources: [
        'arn:aws:ecs:eu-west-1:111122223333:task/data-2/0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      ],
    });
  });
});

describe('simulatedDays', () => {
  it('holds exactly the runs asked for, every event mapping into a renamed cluster', () => {
    const day = simulatedDays(7, 130);

    expect(day.runs.size).toBe(130);
    expect(day.copies).toBeGreaterThan(1);
    const records: AuditRecord[] = day.events.flatMap((event) => {
      const result = mapEvent(event);
      return result.kind === 'mapped' ? result.records : [];
    });
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((record) => /^(prod-web|batch|data)-\d$/.test(record.clusterName))).toBe(
      true,
    );
    const tasks = new Set(
      records.filter((record) => record.recordType === 'task').map((r) => r.resourceArn),
    );
    expect([...tasks].every((arn) => day.runs.has(arn))).toBe(true);
  });

  it("counts the runs the store's model makes of its events (toTaskRuns)", () => {
    const day = simulatedDays(7, 130);

    expect(new Set(runsOfEvents(day.events).map((run) => run.id))).toEqual(
      new Set(day.runs.keys()),
    );
  });
});

/** A run as the views see it: its span, its end, its cluster and group (nothing else is read). */
function run(
  id: string,
  { cluster, group, start, end }: { cluster: string; group?: string; start: string; end?: string },
): TaskRun {
  return {
    id,
    record: {
      clusterName: cluster,
      clusterArn: `arn:aws:ecs:eu-west-1:111122223333:cluster/${cluster}`,
      group,
    } as AuditRecord,
    startTime: start,
    ...(end === undefined ? {} : { endTime: end }),
    end: end === undefined ? 'open' : 'stopped',
    neverStarted: false,
    outcome: { status: end === undefined ? 'in-progress' : 'succeeded', summary: '' },
  } as TaskRun;
}

const T = (hhmm: string) => `2026-11-20T${hhmm}:00.000Z`;
const DAY = { from: '2026-11-20T00:00:00.000Z', to: '2026-11-20T23:59:59.999Z' };

describe('runsInView', () => {
  const runs = [
    run('service since midnight', { cluster: 'web-1', group: 'service:web', start: T('00:00') }),
    run('across the window', {
      cluster: 'web-1',
      group: 'service:api',
      start: T('09:00'),
      end: T('13:00'),
    }),
    run('ends at its start', { cluster: 'web-1', start: T('08:00'), end: T('10:00') }),
    run('starts at its end', { cluster: 'batch-1', start: '2026-11-20T10:14:59.999Z' }),
    run('ended before', { cluster: 'web-1', start: T('08:00'), end: T('09:59') }),
    run('starts after', { cluster: 'web-1', start: T('10:15') }),
  ];
  const window = { from: T('10:00'), to: '2026-11-20T10:14:59.999Z' };

  it('counts every run active at any moment of the window, both ends inclusive, with no record in it', () => {
    expect(runsInView(runs, { ...window, scope: {} })).toBe(4);
  });

  it('counts only the runs of a cluster, or of one group of it', () => {
    expect(runsInView(runs, { ...window, scope: { cluster: 'web-1' } })).toBe(3);
    expect(runsInView(runs, { ...window, scope: { cluster: 'batch-1' } })).toBe(1);
    expect(runsInView(runs, { ...window, scope: { cluster: 'web-1', group: 'service:api' } })).toBe(
      1,
    );
    expect(runsInView(runs, { ...window, scope: { group: 'service:web' } })).toBe(1);
  });

  it('stops counting past the cap', () => {
    expect(runsInView(runs, { ...window, scope: {} }, 1)).toBe(2);
  });
});

describe('chooseView', () => {
  // 30 services running all day in web-1, and 3 short batch runs an hour in batch-1.
  const runs = [
    ...Array.from({ length: 30 }, (_, i) =>
      run(`web ${i}`, { cluster: 'web-1', group: 'service:web', start: T('00:00') }),
    ),
    ...Array.from({ length: 24 * 3 }, (_, i) => {
      const hour = String(Math.floor(i / 3)).padStart(2, '0');
      const minute = String((i % 3) * 20).padStart(2, '0');
      return run(`batch ${i}`, {
        cluster: 'batch-1',
        group: 'family:sync',
        start: T(`${hour}:${minute}`),
        end: T(`${hour}:${minute === '40' ? '45' : String(Number(minute) + 5).padStart(2, '0')}`),
      });
    }),
  ];
  const at = (from: string, to: string, scope: ViewChoice['scope'] = {}): ViewChoice => ({
    from: T(from),
    to: T(to),
    scope,
  });

  it('picks the view closest to the ideal within the range, by runs active in it', () => {
    const candidates = [
      at('10:00', '10:15'), // 30 services + 1 batch run: 31
      at('10:00', '11:00', { cluster: 'batch-1' }), // 3 + the 11:00 run: 4
      at('10:00', '12:00', { cluster: 'batch-1' }), // 7
      at('10:00', '10:15', { cluster: 'web-1' }), // 30
    ];

    expect(chooseView(runs, candidates, { min: 3, ideal: 6, max: 20 })).toEqual({
      ...at('10:00', '12:00', { cluster: 'batch-1' }),
      runs: 7,
    });
    expect(chooseView(runs, candidates, { min: 25, ideal: 31, max: 40 })).toEqual({
      ...at('10:00', '10:15'),
      runs: 31,
    });
  });

  it('takes the first of equally close views', () => {
    expect(
      chooseView(runs, [at('10:00', '10:15', { cluster: 'web-1' }), at('10:00', '10:15')], {
        min: 25,
        ideal: 30.5,
        max: 40,
      }),
    ).toMatchObject({ scope: { cluster: 'web-1' }, runs: 30 });
  });

  it('fails loudly when no candidate shows runs in the range', () => {
    expect(() =>
      chooseView(runs, [at('10:00', '10:15'), at('00:00', '23:00')], {
        min: 95,
        ideal: 97,
        max: 99,
      }),
    ).toThrow(/^no view of the 2 candidates shows 95–99 runs$/);
  });
});

describe('baselineCandidates', () => {
  const runs = [
    run('a', { cluster: 'web-2', group: 'service:web', start: T('00:00') }),
    run('b', { cluster: 'batch-1', group: 'family:sync', start: T('01:00') }),
    run('c', { cluster: 'web-2', group: 'service:api', start: T('02:00') }),
    run('d', { cluster: 'web-2', start: T('03:00') }),
  ];

  it('offers a quarter of an hour and an hour on each hour of the day, unscoped, per cluster and per group of a cluster', () => {
    const candidates = baselineCandidates(runs, DAY);

    expect(candidates).toHaveLength(6 * 48);
    expect([...new Set(candidates.map((c) => JSON.stringify(c.scope)))]).toEqual([
      '{}',
      '{"cluster":"batch-1"}',
      '{"cluster":"web-2"}',
      '{"cluster":"batch-1","group":"family:sync"}',
      '{"cluster":"web-2","group":"service:api"}',
      '{"cluster":"web-2","group":"service:web"}',
    ]);
    const windows = candidates.filter((c) => c.scope.cluster === undefined);
    expect(windows.slice(0, 2)).toEqual([
      { from: T('00:00'), to: '2026-11-20T00:14:59.999Z', scope: {} },
      { from: T('01:00'), to: '2026-11-20T01:14:59.999Z', scope: {} },
    ]);
    expect(windows[windows.length - 1]).toEqual({ from: T('23:00'), to: DAY.to, scope: {} });
    expect(windows.every((w) => w.from >= DAY.from && w.to <= DAY.to)).toBe(true);
  });
});

describe('viewQuery and viewName', () => {
  it('ask the page for the window and the scope, in its own parameters', () => {
    const view: ViewChoice = {
      from: T('12:00'),
      to: '2026-11-20T12:14:59.999Z',
      scope: { cluster: 'batch-2', group: 'service:ingest' },
    };

    expect(new URLSearchParams(viewQuery(view))).toEqual(
      new URLSearchParams({
        from: T('12:00'),
        to: '2026-11-20T12:14:59.999Z',
        cluster: 'batch-2',
        group: 'service:ingest',
      }),
    );
    expect(viewQuery({ ...DAY, scope: {} })).toBe(
      `?from=${encodeURIComponent(DAY.from)}&to=${encodeURIComponent(DAY.to)}`,
    );
    expect(viewName('baseline', view, DAY)).toBe(
      'baseline: 12:00–12:15 UTC, batch-2 service:ingest',
    );
    expect(viewName('full', { ...DAY, scope: {} }, DAY)).toBe('full: the whole day');
  });
});

describe('itemsReadOf', () => {
  const answer = (timing?: string) =>
    new Response('{}', timing ? { headers: { 'Server-Timing': timing } } : {});

  it("reads the items metric of the web server's Server-Timing", () => {
    expect(itemsReadOf(answer('timeline;dur=412.5, items;desc="10240"'), '?since=1d')).toBe(10_240);
  });

  it('fails loudly when the answer says nothing of its reads (a stopped read, an older server)', () => {
    expect(() => itemsReadOf(answer('timeline;dur=3.0'), '?since=1d')).toThrow(
      /^\/api\/timeline\?since=1d says no items read in Server-Timing \("timeline;dur=3\.0"\)$/,
    );
    expect(() => itemsReadOf(answer(), '')).toThrow(/says no items read/);
  });
});
