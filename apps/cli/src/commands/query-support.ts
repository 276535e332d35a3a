/**
 * What the query commands share when they run: opening the store for one command, the `--json`
 * form of a run, and the lines that close a query. What a query reads is the store's
 * (`@ecslog/audit-store`): the commands only parse options and print. Their options are in
 * query-options.ts, which the command definitions load without this.
 */
import type { AuditStoreConnection, StoreOptions } from '@ecslog/store-connection';
import { ecslogHome, openStore } from '@ecslog/store-connection';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { TimeRange } from '@ecslog/audit-store';
import type { RunEnd, TaskRun } from '@ecslog/task-runs';
import type { LineOutput } from '../line-output';
import type { RunLookup } from '../query/run-lookup';
import { matchedValueOf } from '../query/run-lookup';
import type { TimeStyle } from '../output/time-format';
import { formatTime, zoneName } from '../output/time-format';
import type { CliIo } from './cli-io';
import { QueryError, writeRecords } from './cli-io';

/** A run's own fields, as `--json` adds them to the record that tells it (key `run`). */
export interface RunJson {
  start: string;
  end: RunEnd;
  endTime?: string;
  neverStarted: boolean;
  knownOnlyBy?: TaskRun['knownOnlyBy'];
  /** A lookup's (`--ip`, `--image`, `--instance`): what of the run matched, as its column shows. */
  matched?: { address: string } | { digests: string[] } | { host: string };
}

/** The `--json` line of a run: the record that tells it, with {@link RunJson} under `run`. */
export function runJsonOf(run: TaskRun, lookup?: RunLookup): AuditRecord & { run: RunJson } {
  return {
    ...run.record,
    run: {
      start: run.startTime,
      end: run.end,
      ...(run.endTime !== undefined && { endTime: run.endTime }),
      neverStarted: run.neverStarted,
      ...(run.knownOnlyBy !== undefined && { knownOnlyBy: run.knownOnlyBy }),
      ...(lookup !== undefined && { matched: matchedJsonOf(run, lookup) }),
    },
  };
}

function matchedJsonOf(run: TaskRun, lookup: RunLookup): NonNullable<RunJson['matched']> {
  const value = matchedValueOf(run, lookup);
  if (lookup.kind === 'address') return { address: value };
  if (lookup.kind === 'image') return { digests: value === '-' ? [] : value.split(', ') };
  return { host: value };
}

/** NDJSON lines of runs, each {@link runJsonOf}. */
export async function writeRuns(
  out: LineOutput,
  runs: readonly TaskRun[],
  lookup?: RunLookup,
): Promise<void> {
  await writeRecords(
    out,
    runs.map((run) => runJsonOf(run, lookup)),
  );
}

/** Opens the store, runs `use`, and always closes it. */
export async function withStore<T>(
  io: CliIo,
  options: StoreOptions,
  use: (store: AuditStoreConnection) => Promise<T>,
): Promise<T> {
  const store = await openStore(options, { home: ecslogHome(io.env, io.cwd), cwd: io.cwd });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** Throws the "empty store" error when there is nothing at all to query. */
export async function checkNotEmpty(store: AuditStoreConnection): Promise<void> {
  if (await store.reader.isEmpty())
    throw new QueryError(
      store.kind === 'local'
        ? `${store.description} is empty: run \`npm start\` (it loads a simulated day) or \`ecslog ingest FILE\``
        : `${store.description} is empty: nothing has been ingested yet`,
    );
}

/** `service:NAME` / `family:NAME` from `--service` / `--family`. */
export function groupOption(options: { service?: string; family?: string }): string | undefined {
  if (options.service !== undefined && options.family !== undefined)
    throw new QueryError('use either --service or --family, not both');
  if (options.service !== undefined) return `service:${options.service}`;
  if (options.family !== undefined) return `family:${options.family}`;
  return undefined;
}

/** `between 2026-11-23 16:00:00 and 2026-11-24 16:00:00 (UTC)`: the closing line of a query. */
export function describeRange(range: TimeRange, style: TimeStyle): string {
  return `between ${formatTime(range.from, style)} and ${formatTime(range.to, style)} (${zoneName(style)})`;
}

/** `1 task run`, `3 task runs`. */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
