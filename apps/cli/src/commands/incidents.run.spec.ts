import type { Incident } from '@ecslog/incidents';
import { incidentIdOf } from '@ecslog/incidents';
import {
  durationText,
  kindText,
  muteDurationMs,
  orderedIncidents,
  reasonText,
  renderIncidents,
} from './incidents.run';

const CLUSTER = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-web';

/** An incident of service:api (invented ids): failure by default, as the notifier keeps it. */
function incident(
  overrides: Partial<Incident> & { kind?: Incident['key']['kind'] } = {},
): Incident {
  const { kind = 'failure', ...rest } = overrides;
  const key = {
    clusterArn: CLUSTER,
    clusterName: 'prod-web',
    group: 'service:api',
    kind,
    ...(kind === 'failure' ? { category: 'image-pull' as const } : {}),
  };
  const first = {
    runId: `arn:aws:ecs:eu-west-1:111122223333:task/prod-web/7d0e5c1a2b3f4e6d8c9b0a1f2e3d4c5b`,
    taskId: '7d0e5c1a2b3f4e6d8c9b0a1f2e3d4c5b',
    at: '2026-11-20T13:31:00.000Z',
    category: 'image-pull' as const,
    summary: 'container api: image pull failed',
    stoppedReason: 'CannotPullContainerError: api:r18: not found',
    exitCodes: [],
    account: '111122223333',
    region: 'eu-west-1',
  };
  return {
    id: incidentIdOf(key),
    key,
    episode: 1,
    status: 'open',
    openedAt: first.at,
    lastFailureAt: '2026-11-20T13:35:00.000Z',
    failedRuns: 3,
    first,
    last: first,
    ...rest,
  };
}

const style = { utc: true, now: Date.parse('2026-11-20T14:00:00.000Z') };

describe('ecslog incidents table', () => {
  it('shows one row per incident: opened, status, where, kind, counts, duration, reason', () => {
    const resolved = incident({
      status: 'resolved',
      resolvedAt: '2026-11-20T13:41:30.000Z',
      resolution: 'steady-state',
    });

    const table = renderIncidents([resolved], style);

    expect(table.split('\n')[0]).toMatch(
      /^OPENED \(UTC\) +STATUS +CLUSTER +SERVICE\/FAMILY +KIND +FAILED RUNS +LAST FAILURE +DURATION +REASON$/,
    );
    expect(table.split('\n')[1]).toBe(
      '2026-11-20 13:31:00  resolved  prod-web  service:api     failure: image-pull  3            2026-11-20 13:35:00  10m30s (steady-state)  container api: image pull failed: "CannotPullContainerError: api:r18: not found"',
    );
  });

  it('says how long an open incident has been open, and a missed run’s detail', () => {
    const missed = incident({
      kind: 'missed-run',
      detail: 'hourly at :30, none since 22:30 UTC (30 min overdue)',
    });

    expect(kindText(missed)).toBe('missed-run');
    expect(durationText(missed, style.now)).toBe('open 29m00s');
    expect(reasonText(missed)).toBe(
      'hourly at :30, none since 22:30 UTC (30 min overdue) (container api: image pull failed: "CannotPullContainerError: api:r18: not found")',
    );
  });

  it('shows a hostile stop reason as text, its control characters escaped', () => {
    const hostile = incident({
      first: { ...incident().first, stoppedReason: 'oops\n\u001b[2J\u001b]8;;http://x\u0007link' },
    });

    const table = renderIncidents([hostile], style);

    expect(table.trimEnd().split('\n')).toHaveLength(2);
    expect(table).not.toContain('\u001b');
    expect(table).not.toContain('\u0007');
  });

  it('lists open incidents first, newest opened first within each', () => {
    const a = incident({ openedAt: '2026-11-20T01:00:00.000Z', status: 'resolved' });
    const b = incident({ openedAt: '2026-11-20T05:00:00.000Z', status: 'resolved' });
    const c = incident({ openedAt: '2026-11-20T03:00:00.000Z', kind: 'crash-loop' });

    expect(orderedIncidents([a, b, c])).toEqual([c, b, a]);
  });
});

describe('mute durations', () => {
  it('reads minutes, hours, days and weeks', () => {
    expect(muteDurationMs('30m')).toBe(30 * 60_000);
    expect(muteDurationMs('2h')).toBe(2 * 3_600_000);
    expect(muteDurationMs('1.5d')).toBe(36 * 3_600_000);
    expect(muteDurationMs('2w')).toBe(14 * 86_400_000);
  });

  it('refuses what is not a positive duration, and more than 30 days', () => {
    for (const bad of ['0h', '-1h', 'soon', '2', '10s', ''])
      expect(() => muteDurationMs(bad)).toThrow(/^--for must be a positive duration/);
    expect(() => muteDurationMs('31d')).toThrow('--for is at most 30d, got "31d"');
    expect(() => muteDurationMs('5w')).toThrow(/at most 30d/);
  });
});
