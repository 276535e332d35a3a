import fc from 'fast-check';
import type { Incident } from '@ecslog/incidents';
import { clusterArnOf, failedRunOf, incidentOf, incidentsOfTheDay } from './incident-fixtures';
import { incidentsOf, incidentsRequestOf } from './incidents-request';
import { BadRequestError } from './timeline-request';

const NOW = Date.parse('2026-11-21T00:00:00.000Z');
const requestOf = (query: string) => incidentsRequestOf(new URLSearchParams(query), NOW);
function rejectionOf(query: string): string {
  try {
    requestOf(query);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    return (error as Error).message;
  }
  throw new Error(`"${query}" was accepted`);
}
const DAY = 'from=2026-11-20T00:00:00Z&to=2026-11-20T23:59:59.999Z';
const groupsOf = (incidents: readonly Incident[]) =>
  incidents.map((incident) => `${incident.status} ${incident.key.group}`);

describe('incidentsRequestOf', () => {
  it("reads the timeline's filters and range, and open=1", () => {
    expect(requestOf('cluster=prod-web&group=service:web&since=6h&open=1')).toEqual({
      scope: { cluster: 'prod-web', group: 'service:web' },
      range: { from: '2026-11-20T18:00:00.000Z', to: '2026-11-21T00:00:00.000Z' },
      open: true,
    });
    expect(requestOf('')).toEqual({
      scope: { cluster: undefined, group: undefined },
      range: { from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T00:00:00.000Z' },
      open: false,
    });
    expect(requestOf('open=0').open).toBe(false);
  });

  it('refuses, in one line naming the parameter, what it cannot read', () => {
    expect(rejectionOf('open=yes')).toBe('open must be 1 (open incidents only) or 0, got "yes"');
    expect(rejectionOf('status=failed')).toBe(
      'unknown parameter "status": use cluster, group, since, from, to, open',
    );
    expect(rejectionOf('open=1&open=0')).toBe('parameter "open" is given more than once');
    expect(rejectionOf('group=web')).toBe('group must be service:NAME or family:NAME, got "web"');
    expect(rejectionOf('since=soon')).toMatch(/^since must be a positive duration/);
    expect(rejectionOf('since=6h&from=2026-11-20')).toBe('use either since or from/to, not both');
    for (const query of ['open=yes', 'status=failed', 'since=soon'])
      expect(rejectionOf(query)).not.toContain('\n');
  });
});

describe('incidentsOf', () => {
  it('answers open incidents first, then resolved ones, each newest first', () => {
    const answered = incidentsOf(incidentsOfTheDay(), requestOf(DAY));

    expect(groupsOf(answered)).toEqual([
      'open family:hourly-sync',
      'open service:web',
      'resolved service:worker',
      'resolved service:api',
      'resolved family:nightly-report',
    ]);
  });

  it('keeps the cluster (by name or ARN) and group asked for, and only open ones with open=1', () => {
    const day = incidentsOfTheDay();

    expect(groupsOf(incidentsOf(day, requestOf(`${DAY}&cluster=prod-web`)))).toEqual([
      'open service:web',
      'resolved service:worker',
      'resolved service:api',
    ]);
    expect(
      groupsOf(incidentsOf(day, requestOf(`${DAY}&cluster=${clusterArnOf('prod-web')}&open=1`))),
    ).toEqual(['open service:web']);
    expect(groupsOf(incidentsOf(day, requestOf(`${DAY}&group=service:api`)))).toEqual([
      'resolved service:api',
    ]);
  });

  it('keeps what was active in the range: an open one opened before it, not one resolved before it', () => {
    const day = incidentsOfTheDay();
    // 10:00–11:00: the crash loop (09:00–10:07) was still going; the nightly job's had resolved.
    const hour = incidentsOf(day, requestOf('from=2026-11-20T10:00:00Z&to=2026-11-20T11:00:00Z'));

    expect(groupsOf(hour)).toEqual(['resolved service:api']);
    // The day after: only the two still open.
    expect(groupsOf(incidentsOf(day, requestOf('since=1h')))).toEqual([
      'open family:hourly-sync',
      'open service:web',
    ]);
  });

  it('keeps an episode read twice once, in its resolved state', () => {
    const [oom] = incidentsOfTheDay();
    const open = { ...(oom as Incident), status: 'open' as const, resolvedAt: undefined };

    expect(incidentsOf([open, oom as Incident, open], requestOf(DAY))).toEqual([oom]);
  });

  it('answers exactly the incidents of the scope active in the range, open first (property)', () => {
    const start = Date.parse('2026-11-19T00:00:00.000Z');
    const incidentArb = fc
      .record({
        cluster: fc.constantFrom('prod-web', 'batch'),
        group: fc.constantFrom('service:web', 'family:nightly'),
        episode: fc.integer({ min: 1, max: 3 }),
        openedMin: fc.integer({ min: 0, max: 3 * 1440 }),
        lastedMin: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
      })
      .map(({ cluster, group, episode, openedMin, lastedMin }) => {
        const at = (minutes: number) => new Date(start + minutes * 60_000).toISOString();
        return incidentOf(
          { clusterName: cluster, group, kind: 'failure', category: 'out-of-memory' },
          {
            episode,
            first: failedRunOf(cluster, undefined, at(openedMin), 'out-of-memory'),
            ...(lastedMin !== undefined && {
              status: 'resolved' as const,
              resolvedAt: at(openedMin + lastedMin),
              resolution: 'quiet-period' as const,
            }),
          },
        );
      });
    fc.assert(
      fc.property(
        fc.uniqueArray(incidentArb, { selector: (i) => `${i.id}#${i.episode}`, maxLength: 12 }),
        fc.integer({ min: 0, max: 3 * 1440 }),
        fc.integer({ min: 0, max: 1440 }),
        fc.constantFrom('', '&cluster=batch', '&group=service:web', '&open=1'),
        (read, fromMin, spanMin, filter) => {
          const from = new Date(start + fromMin * 60_000).toISOString();
          const to = new Date(start + (fromMin + spanMin) * 60_000).toISOString();
          const request = requestOf(`from=${from}&to=${to}${filter}`);

          const answered = incidentsOf(read, request);

          const active = (incident: Incident) =>
            incident.openedAt <= to &&
            (incident.status === 'open' || (incident.resolvedAt as string) >= from) &&
            (request.scope.cluster === undefined ||
              incident.key.clusterName === request.scope.cluster) &&
            (request.scope.group === undefined || incident.key.group === request.scope.group) &&
            (!request.open || incident.status === 'open');
          expect(answered.map((i) => `${i.id}#${i.episode}`).sort()).toEqual(
            read
              .filter(active)
              .map((i) => `${i.id}#${i.episode}`)
              .sort(),
          );
          const firstResolved = answered.findIndex((i) => i.status === 'resolved');
          if (firstResolved >= 0)
            expect(answered.slice(firstResolved).every((i) => i.status === 'resolved')).toBe(true);
        },
      ),
    );
  });
});
