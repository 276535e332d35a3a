/**
 * What `/api/incidents` is asked for, and which incidents it answers. Pure: `now` is an
 * argument. The page sends its own filters (`cluster`, `group`, `since` or `from`/`to`, read as
 * the timeline reads them) and `open=1` for the open incidents only.
 */
import type { RunScope, TimeRange } from '@ecslog/audit-store';
import { isCluster } from '@ecslog/audit-store';
import type { Incident } from '@ecslog/incidents';
import { BadRequestError, timelineRequestOf } from './timeline-request';

export interface IncidentsRequest {
  scope: RunScope;
  /** The incidents active at some moment of it are answered. */
  range: TimeRange;
  /** Only the incidents still open. */
  open: boolean;
}

const KNOWN = ['cluster', 'group', 'since', 'from', 'to', 'open'];

/**
 * Reads an incidents URL's parameters; every problem is a {@link BadRequestError} that names the
 * parameter.
 *
 * @example
 * incidentsRequestOf(new URLSearchParams('group=service:web&since=6h&open=1'), Date.parse('2026-11-24T12:00:00Z'));
 * // { scope: { group: 'service:web' }, range: { from: '2026-11-24T06:00:00.000Z', to: '2026-11-24T12:00:00.000Z' }, open: true }
 */
export function incidentsRequestOf(params: URLSearchParams, now: number): IncidentsRequest {
  const filters = new URLSearchParams();
  for (const name of new Set(params.keys())) {
    if (!KNOWN.includes(name))
      throw new BadRequestError(`unknown parameter "${name}": use ${KNOWN.join(', ')}`);
    if (params.getAll(name).length > 1)
      throw new BadRequestError(`parameter "${name}" is given more than once`);
    if (name !== 'open') filters.set(name, params.get(name) as string);
  }
  const open = (params.get('open') ?? '').trim();
  if (!['', '0', '1'].includes(open))
    throw new BadRequestError(`open must be 1 (open incidents only) or 0, got "${open}"`);
  const { scope, range } = timelineRequestOf(filters, now);
  return { scope, range, open: open === '1' };
}

/**
 * The incidents of a request among those read: in its cluster and group, active at some moment
 * of its range (opened by its end, and open still or resolved after its start), only the open
 * ones when it asks so. Open ones first, then resolved ones, each newest first (by when they
 * opened); an episode read twice is kept once, in its later state.
 */
export function incidentsOf(
  read: readonly Incident[],
  { scope, range, open }: IncidentsRequest,
): Incident[] {
  const from = Date.parse(range.from);
  const to = Date.parse(range.to);
  // An episode read twice (an open snapshot and its resolved one): its resolved state is later.
  const episodes = new Map<string, Incident>();
  for (const incident of read) {
    const episode = `${incident.id}\u0000${incident.episode}`;
    const known = episodes.get(episode);
    if (known === undefined || (known.status === 'open' && incident.status === 'resolved'))
      episodes.set(episode, incident);
  }
  const kept = [...episodes.values()].filter((incident) => {
    if (scope.cluster !== undefined && !isCluster(incident.key.clusterArn, scope.cluster))
      return false;
    if (scope.group !== undefined && incident.key.group !== scope.group) return false;
    if (open && incident.status !== 'open') return false;
    if (Date.parse(incident.openedAt) > to) return false;
    const ended =
      incident.status === 'open' ? undefined : (incident.resolvedAt ?? incident.lastFailureAt);
    return ended === undefined || Date.parse(ended) >= from;
  });
  return kept.sort(
    (a, b) =>
      Number(b.status === 'open') - Number(a.status === 'open') ||
      Date.parse(b.openedAt) - Date.parse(a.openedAt) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : b.episode - a.episode),
  );
}
