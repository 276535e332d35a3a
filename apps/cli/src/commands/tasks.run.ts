/**
 * What `ecslog tasks` runs (its options are in tasks.command.ts), and the views of a task run
 * other commands show too: the runs table, a run's end and outcome.
 */
import { isSimulatedRecord } from '../simulated-records';
import type { StoreOptions } from '@ecslog/store-connection';
import type { Outcome } from '@ecslog/ecs-event-mapper';
import { createLineOutput } from '../line-output';
import { renderTable } from '../output/text-table';
import type { TimeStyle } from '../output/time-format';
import { formatDuration, formatTime, zoneName } from '../output/time-format';
import type { TaskRun } from '@ecslog/task-runs';
import { filterRunsByStatus, parseStatusFilter } from '@ecslog/task-runs';
import type { RunQuery, RunQueryOptions } from '../query/time-range';
import { visibleText } from '../output/visible-text';
import type { RunScope } from '@ecslog/audit-store';
import { runQueryOf, windowOf } from '../query/time-range';
import type { LookupOptions, LookupReader, RunLookup } from '../query/run-lookup';
import {
  describeLookup,
  matchColumnOf,
  matchedValueOf,
  readLookup,
  runLookupOf,
} from '../query/run-lookup';
import { keepsRun } from '@ecslog/audit-store';
import type { CliIo, OutputOptions } from './cli-io';
import {
  counted,
  describeRange,
  checkNotEmpty,
  groupOption,
  withStore,
  writeRuns,
} from './query-support';

export interface TasksOptions extends StoreOptions, OutputOptions, RunQueryOptions, LookupOptions {
  cluster?: string;
  service?: string;
  family?: string;
  status?: string;
}

export async function runTasks(options: TasksOptions, io: CliIo): Promise<number> {
  const query = runQueryOf(options, '24h', io.now());
  const lookup = runLookupOf(options);
  const status = parseStatusFilter(options.status);
  const scope = { cluster: options.cluster, group: groupOption(options) };
  const runs = await withStore(io, options, async (store) => {
    const window = windowOf(query);
    const found = lookup
      ? await lookedUp(store.reader, lookup, query, scope, io.now())
      : window === undefined
        ? (await store.reader.openRuns(scope)).runs
        : (await store.reader.runsDuring(window, scope)).runs;
    if (found.length === 0) await checkNotEmpty(store);
    return filterRunsByStatus(found, status);
  });
  const out = createLineOutput(io.stdout);
  const style = { utc: options.utc ?? false, now: io.now() };
  if (options.json) await writeRuns(out, runs, lookup);
  else if (runs.length > 0) await out.writeLine(renderRuns(runs, style, lookup).trimEnd());
  io.stderr.write(
    `${counted(runs.length, 'task run')}${lookup ? ` ${visibleText(describeLookup(lookup))}` : ''} ${describeRunQuery(query, style)}\n`,
  );
  return 0;
}

/**
 * The runs a lookup finds for the query, in the scope: `--running` is the runs of the lookup open
 * at this instant.
 */
async function lookedUp(
  reader: LookupReader,
  lookup: RunLookup,
  query: RunQuery,
  scope: RunScope,
  now: number,
): Promise<TaskRun[]> {
  const nowIso = new Date(now).toISOString();
  const window = windowOf(query) ?? { from: nowIso, to: nowIso };
  const { runs } = await readLookup(reader, lookup, window);
  return runs.filter(
    (run) => keepsRun(run, window, scope) && (query.kind !== 'running' || run.end === 'open'),
  );
}

/** `active between … and … (UTC)`, `active at … (UTC)`, `open now`: what the runs listed are. */
export function describeRunQuery(query: RunQuery, style: TimeStyle): string {
  if (query.kind === 'running') return 'open now';
  if (query.kind === 'at') return `active at ${formatTime(query.at, style)} (${zoneName(style)})`;
  return `active ${describeRange(query.range, style)}`;
}

/** How the table shows times; `now` (epoch ms) is what an open run's duration runs up to. */
export interface RunsStyle extends TimeStyle {
  now: number;
}

/** The human table of `ecslog tasks`; a lookup's adds the column of what matched, after TASK. */
export function renderRuns(runs: readonly TaskRun[], style: RunsStyle, lookup?: RunLookup): string {
  return renderTable(
    [
      `START (${zoneName(style)})`,
      'END',
      'CLUSTER',
      'SERVICE/FAMILY',
      'TASK',
      ...(lookup ? [matchColumnOf(lookup)] : []),
      'STATUS',
      'OUTCOME',
      'DURATION',
      'SUMMARY',
    ],
    runs.map((run) => [
      formatTime(run.startTime, style),
      endText(run, style),
      run.record.clusterName,
      run.record.group ?? (run.record.family ? `family:${run.record.family}` : '-'),
      run.record.taskId ?? '-',
      ...(lookup ? [matchedValueOf(run, lookup)] : []),
      run.neverStarted ? 'NOT STARTED' : (run.lastStatus ?? '-'),
      outcomeText(run.outcome),
      run.end === 'open'
        ? `running ${formatDuration(Math.max(0, style.now - Date.parse(run.startTime)))}`
        : formatDuration(durationOf(run)),
      isSimulatedRecord(run.record) ? `${run.outcome.summary} (simulated)` : run.outcome.summary,
    ]),
  );
}

/** `failed: out-of-memory`, `stopped: scale-in` (expected churn), or the bare status. */
export function outcomeText(outcome: Outcome): string {
  const kind = outcome.category ?? outcome.churn;
  return kind ? `${outcome.status}: ${kind}` : outcome.status;
}

/**
 * A run's explicit end: `running`, `stopped 2026-11-20 03:12:00`, `never started`, `end not
 * recorded` (known only by the call that started it), `closed 2026-11-20 03:12:00` (by a later
 * writer, without its STOPPED state change).
 */
export function endText(run: TaskRun, style: TimeStyle): string {
  switch (run.end) {
    case 'open':
      return 'running';
    case 'stopped':
      return run.endTime === undefined ? 'stopped' : `stopped ${formatTime(run.endTime, style)}`;
    case 'closed':
      return run.endTime === undefined ? 'closed' : `closed ${formatTime(run.endTime, style)}`;
    case 'not-started':
      return 'never started';
    case 'not-recorded':
      return 'end not recorded';
  }
}

/** How long the task ran, else how long it took to stop from its creation. */
function durationOf({ record, startTime, endTime, end }: TaskRun): number | undefined {
  if (record.runMs !== undefined && end !== 'closed') return record.runMs;
  if (endTime !== undefined && (record.createdAt !== undefined || end === 'closed'))
    return Date.parse(endTime) - Date.parse(startTime);
  return undefined;
}
