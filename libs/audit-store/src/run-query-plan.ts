/**
 * Which partitions a query of runs reads, and how each read is bounded: pure, so the reader, its
 * tests and the benchmark share one answer (README: "Access pattern → read").
 *
 * The runs active at any moment of a window `[from, to]` are the union of three sets:
 * 1. runs that have ended (or never started, or whose end is not recorded) and started from the
 *    start of `from`'s hour to `to`: the run index, each hour from `from`'s to `to`'s, every shard;
 * 2. open runs that started by `to`: the run index's open partitions;
 * 3. ended runs that started before `from`'s hour and were active at its start: the carries of
 *    `from`'s day (runs that crossed its midnight) and of `from`'s hour (runs that started earlier
 *    that day).
 * Each read is then filtered by {@link isActiveDuring}: what it drops is the "extra" a read costs.
 */
import type { TaskRun, TimeWindow } from '@ecslog/task-runs';
import { isActiveDuring } from '@ecslog/task-runs';
import {
  dayCarryPartitionKey,
  dayOf,
  failurePartitionKey,
  groupOf,
  hourCarryPartitionKey,
  hourOf,
  openRunsPartitionKey,
  SHARDS,
  startHourPartitionKey,
} from './item-codec';
import { INDEX } from './table-definition';

/** What a query is limited to: a cluster (name or ARN), and a service or family group of it. */
export interface RunScope {
  cluster?: string;
  /** `service:NAME` or `family:NAME`. */
  group?: string;
}

/** One Query: a partition (of the base table, or an index) and a condition on its sort key. */
export interface PartitionRead {
  indexName?: string;
  partitionKeyName: string;
  partitionKey: string;
  sortKeyName: string;
  /** Absent: the whole partition. */
  sortKey?: { beginsWith: string } | { between: [string, string] };
}

/** The longest window a query may span (hours are read one by one). */
export const MAX_WINDOW_DAYS = 400;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Above every character a key holds: the upper end of an inclusive prefix range. */
const KEY_END = '\uffff';

/** A cluster's name, from its name or ARN. */
export function clusterNameOf(cluster: string): string {
  const cut = cluster.indexOf(':cluster/');
  return cut < 0 ? cluster : cluster.slice(cut + ':cluster/'.length);
}

/** True when `clusterArn` is the cluster named (by ARN or by name). */
export function isCluster(clusterArn: string, nameOrArn: string): boolean {
  return clusterArn === nameOrArn || clusterArn.endsWith(`:cluster/${nameOrArn}`);
}

/** Every UTC hour from `from`'s to `to`'s (`YYYY-MM-DDTHH`). */
export function hoursBetween(from: string, to: string): string[] {
  const start = Math.floor(checkedTime(from) / HOUR_MS) * HOUR_MS;
  const end = Math.floor(checkedTime(to) / HOUR_MS) * HOUR_MS;
  if (end < start) throw new RangeError(`the window ends before it starts: ${from} .. ${to}`);
  if (end - start > MAX_WINDOW_DAYS * DAY_MS)
    throw new RangeError(`the window spans more than ${MAX_WINDOW_DAYS} days: ${from} .. ${to}`);
  const hours: string[] = [];
  for (let hour = start; hour <= end; hour += HOUR_MS)
    hours.push(hourOf(new Date(hour).toISOString()));
  return hours;
}

/** Every UTC day from `from`'s to `to`'s (`YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): string[] {
  const start = Math.floor(checkedTime(from) / DAY_MS) * DAY_MS;
  const end = Math.floor(checkedTime(to) / DAY_MS) * DAY_MS;
  if (end < start) throw new RangeError(`the window ends before it starts: ${from} .. ${to}`);
  const count = (end - start) / DAY_MS + 1;
  if (count > MAX_WINDOW_DAYS + 1)
    throw new RangeError(`the window spans ${count} days; at most ${MAX_WINDOW_DAYS}`);
  return Array.from({ length: count }, (_, i) => dayOf(new Date(start + i * DAY_MS).toISOString()));
}

/** The prefix of run and carry sort keys for a scope (`''`: every run). */
function scopePrefix(scope: RunScope): string {
  if (scope.cluster === undefined) return '';
  const cluster = `${clusterNameOf(scope.cluster)}#`;
  return scope.group === undefined ? cluster : `${cluster}${scope.group}#`;
}

/** The reads that find every run active in the window (a superset: filter with {@link keepsRun}). */
export function runReadsOf(window: TimeWindow, scope: RunScope = {}): PartitionRead[] {
  const hours = hoursBetween(window.from, window.to);
  const prefix = scopePrefix(scope);
  const hourStart = `${hours[0]}:00:00.000Z`;
  const bounded = scope.cluster !== undefined && scope.group !== undefined;
  const runs = INDEX.runs;
  const reads: PartitionRead[] = [];
  for (let shard = 0; shard < SHARDS; shard += 1) {
    for (const hour of hours)
      reads.push({
        indexName: runs.name,
        partitionKeyName: runs.partitionKey,
        partitionKey: startHourPartitionKey(hour, shard),
        sortKeyName: runs.sortKey,
        ...rangeOf(prefix, bounded ? [hourStart, `${window.to}#${KEY_END}`] : undefined),
      });
    reads.push({
      indexName: runs.name,
      partitionKeyName: runs.partitionKey,
      partitionKey: openRunsPartitionKey(shard),
      sortKeyName: runs.sortKey,
      ...rangeOf(prefix, bounded ? ['', `${window.to}#${KEY_END}`] : undefined),
    });
    for (const partitionKey of [
      dayCarryPartitionKey(dayOf(window.from), shard),
      hourCarryPartitionKey(hours[0] as string, shard),
    ])
      reads.push({
        partitionKeyName: 'pk',
        partitionKey,
        sortKeyName: 'sk',
        ...rangeOf(prefix, undefined),
      });
  }
  return reads;
}

/** The reads of the runs open now, in a scope. */
export function openRunReadsOf(scope: RunScope = {}): PartitionRead[] {
  const prefix = scopePrefix(scope);
  return Array.from({ length: SHARDS }, (_, shard) => ({
    indexName: INDEX.runs.name,
    partitionKeyName: INDEX.runs.partitionKey,
    partitionKey: openRunsPartitionKey(shard),
    sortKeyName: INDEX.runs.sortKey,
    ...rangeOf(prefix, undefined),
  }));
}

/** The reads of the failures whose time (a run's end, a failed record's time) is in the window. */
export function failureReadsOf(window: TimeWindow): PartitionRead[] {
  return daysBetween(window.from, window.to).flatMap((day) =>
    Array.from({ length: SHARDS }, (_, shard) => ({
      indexName: INDEX.failures.name,
      partitionKeyName: INDEX.failures.partitionKey,
      partitionKey: failurePartitionKey(day, shard),
      sortKeyName: INDEX.failures.sortKey,
      sortKey: { between: [window.from, `${window.to}#${KEY_END}`] as [string, string] },
    })),
  );
}

/** True when a run read by {@link runReadsOf} belongs to the answer: in scope and active in the window. */
export function keepsRun(run: TaskRun, window: TimeWindow, scope: RunScope = {}): boolean {
  const { record } = run;
  if (scope.cluster !== undefined && !isCluster(record.clusterArn, scope.cluster)) return false;
  if (scope.group !== undefined && groupOf(record) !== scope.group) return false;
  return isActiveDuring(run, window);
}

function rangeOf(
  prefix: string,
  bounds: [string, string] | undefined,
): Pick<PartitionRead, 'sortKey'> {
  if (bounds !== undefined)
    return { sortKey: { between: [prefix + bounds[0], prefix + bounds[1]] } };
  return prefix === '' ? {} : { sortKey: { beginsWith: prefix } };
}

function checkedTime(time: string): number {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) throw new RangeError(`not a time: ${time}`);
  return ms;
}
