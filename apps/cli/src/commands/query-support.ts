/**
 * What the query commands share: their output and store options, opening the store for one
 * command, and reading the records of a scope.
 */
import type { AuditStoreConnection, StoreOptions } from '@ecslog/store-connection';
import { ecslogHome, openStore } from '@ecslog/store-connection';
import type { Command } from 'commander';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { addStoreOptions, STORE_HELP } from './store-options';
import type { Activity, ReadControl, TimeRange } from '@ecslog/audit-store';
import { runWithLimit } from '@ecslog/audit-store';
import type { TimeStyle } from '../output/time-format';
import { formatTime, zoneName } from '../output/time-format';
import type { QueryScope } from '../query/query-scope';
import { partitionsOf } from '../query/query-scope';
import type { CliIo } from './cli-io';
import { QueryError, readAllPages } from './cli-io';

/** Adds `--json`, `--utc` and the store options, and the store help. */
export function addQueryOptions(command: Command): Command {
  return addStoreOptions(
    command
      .option('--json', 'print NDJSON AuditRecords (schema version 1) instead of a table')
      .option('--utc', 'show times in UTC (default: local time)'),
  ).addHelpText('after', STORE_HELP);
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

/** Index partitions read at once: a range over many clusters or groups is one query per each. */
const PARTITION_READS_IN_FLIGHT = 8;

/**
 * Every record of the scope in the range, oldest first. `activity` is the store's activity of the
 * range, when the caller has read it already.
 */
export async function recordsInScope(
  store: Pick<AuditStoreConnection, 'reader'>,
  scope: QueryScope,
  range: TimeRange,
  activity?: readonly Activity[],
): Promise<AuditRecord[]> {
  return readScope(store, scope, range, activity, ({ clusterArn, group }) =>
    readAllPages((page) =>
      group === undefined
        ? store.reader.byCluster(clusterArn, { ...range, ...page })
        : store.reader.byGroup(clusterArn, group, { ...range, ...page }),
    ),
  );
}

/**
 * The records of the scope in the range that runs are made of, oldest first: all of them but
 * the older versions of a task (or container instance) whose newer version is in the range —
 * what {@link toTaskRuns} keeps, read without decoding what it would drop. `control` stops the
 * reads (web view: a client gone, enough runs read).
 */
export async function latestRecordsInScope(
  store: Pick<AuditStoreConnection, 'reader'>,
  scope: QueryScope,
  range: TimeRange,
  activity?: readonly Activity[],
  control?: ReadControl,
): Promise<AuditRecord[]> {
  return readScope(store, scope, range, activity, ({ clusterArn, group }) =>
    store.reader.latestVersions(clusterArn, range, group, control),
  );
}

interface ScopePartition {
  clusterArn: string;
  /** Absent: the whole cluster. */
  group?: string;
}

/** Reads the scope's index partitions, {@link PARTITION_READS_IN_FLIGHT} at a time. */
async function readScope(
  store: Pick<AuditStoreConnection, 'reader'>,
  scope: QueryScope,
  range: TimeRange,
  activity: readonly Activity[] | undefined,
  read: (partition: ScopePartition) => Promise<AuditRecord[]>,
): Promise<AuditRecord[]> {
  const partitions = partitionsOf(activity ?? (await store.reader.activity(range)), scope);
  const targets: ScopePartition[] =
    partitions.index === 'byGroup'
      ? partitions.groups
      : partitions.clusterArns.map((clusterArn) => ({ clusterArn }));
  const perPartition: AuditRecord[][] = [];
  await runWithLimit(
    targets.map((target, index) => async () => {
      perPartition[index] = await read(target);
    }),
    PARTITION_READS_IN_FLIGHT,
  );
  return perPartition.flat().sort((a, b) => a.eventTime.localeCompare(b.eventTime));
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

/** Adds `--since`, `--from` and `--to`; `defaultSince` is the range when none is given. */
export function addTimeRangeOptions(command: Command, defaultSince: string): Command {
  return command
    .option(
      '--since <duration>',
      `the range back from now: 30m, 24h, 7d, 2w (default ${defaultSince})`,
    )
    .option('--from <time>', 'start of the range (ISO-8601; zone-less is UTC)')
    .option('--to <time>', 'end of the range (default now; a bare date means its end)');
}

/** `between 2026-11-23 16:00:00 and 2026-11-24 16:00:00 (UTC)`: the closing line of a query. */
export function describeRange(range: TimeRange, style: TimeStyle): string {
  return `between ${formatTime(range.from, style)} and ${formatTime(range.to, style)} (${zoneName(style)})`;
}

/** `1 task run`, `3 task runs`. */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
