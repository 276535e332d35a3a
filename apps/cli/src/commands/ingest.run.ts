/**
 * What `ecslog ingest` runs (its options are in ingest.command.ts), and the ingest session on an
 * open store that `ecslog local` loads its simulated day through.
 */
import type { AuditStoreConnection, EcslogHome, LocalStore } from '@ecslog/store-connection';
import { displayPath, ecslogHome, openStore, releaseLock } from '@ecslog/store-connection';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditWriter } from '@ecslog/audit-store';
import { createFileQuarantine, METRIC_NAMES } from '@ecslog/ingest-pipeline';
import { createLocalLakeWriter } from '@ecslog/local-lake';
import type { EventInput } from '../event-inputs';
import { inputBytes } from '../event-inputs';
import type { Tally } from '@ecslog/ingest-pipeline';
import type { EventIngestOptions, IngestSummary } from '../pipeline/event-ingest';
import { createEventIngest } from '../pipeline/event-ingest';
import { guardStoreClient, storageFaultOf } from '../pipeline/store-fault-guard';
import { visibleText } from '../output/visible-text';
import { readInputBatches } from '../read-input-files';
import type { CliIo } from './cli-io';
import type { IngestOptions } from './ingest.command';

export async function runIngest(
  operands: readonly string[],
  options: IngestOptions,
  io: CliIo,
): Promise<number> {
  const home = ecslogHome(io.env, io.cwd);
  const context = { home, cwd: io.cwd };
  // Report lines quote event text (reasons, positions, paths): shown escaped.
  const report = (line: string) => io.stderr.write(`${visibleText(line)}\n`);
  // Ctrl-C (or SIGTERM) stops after the batch in flight; what was not stored is kept.
  let stopSignal: string | undefined;
  void io.waitForStop().then((signal) => (stopSignal = signal));
  const stopRequested = () => stopSignal;

  let store = await openStore(options, context);
  let session = createStoreIngest(store, home, options.retentionDays, report, { stopRequested });
  const total = emptySummary();
  let unreadable = 0;
  let fellBack = false;
  /** The fallback store failed to open on a storage fault: the process must end itself. */
  let halfOpen = false;
  let lastSource: string | undefined;
  const notRead: string[] = [];
  try {
    for await (const file of readInputBatches(operands, io)) {
      if (total.stopped) {
        // The rest of the file in flight is kept with what was not stored; later files are named.
        if (file.kind === 'events' && file.source === lastSource) {
          total.inputs += file.inputs.length;
          total.unwritten.push(...file.inputs);
        } else if (notRead.at(-1) !== file.source) notRead.push(file.source);
        continue;
      }
      if (file.kind === 'unreadable') {
        unreadable += 1;
        report(`ecslog: cannot read ${file.source}: ${file.reason}`);
        continue;
      }
      lastSource = file.source;
      let summary = await session.ingest(file.inputs);
      const error = summary.stopped?.error;
      if (error && !fellBack && canOpenDirectly(store, error)) {
        // `ecslog local` went away: open its files here (its lock is stale now) and go on.
        fellBack = true;
        const gone = store.description;
        await session.close().catch(() => undefined); // the next session writes the lake again
        await store.close();
        try {
          store = await openWatchingStorage(
            () => openStore(options, { ...context }),
            () => {
              // Half open: its dynalite keeps this process alive and holds the lock.
              halfOpen = true;
            },
          );
          session = createStoreIngest(store, home, options.retentionDays, report, {
            stopRequested,
          });
          report(
            `ecslog: ${gone} stopped answering (${(error as { faultCode?: string }).faultCode ?? error.message}); going on with ${store.description}`,
          );
          const again = await session.ingest(summary.unwritten);
          summary = { ...addSummaries(summary, again), unwritten: again.unwritten };
          if (again.stopped) summary.stopped = again.stopped;
          else delete summary.stopped;
        } catch (reopenError) {
          // Nothing to write to: stop here, keeping the inputs.
          summary.stopped = {
            reason: `${error.message}, and the store could not be opened here: ${(reopenError as Error).message}`,
            error,
          };
          session = closedSession();
        }
      }
      addInto(total, summary);
    }
  } finally {
    // The store is closed (and its lock released) even when the lake's last files cannot be.
    const lakeError = await session.close().then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    await store.close();
    // A full disk is said once, by the stop line; anything else about the lake gets its own.
    if (lakeError && !(total.stopped && sameCode(total.stopped.error, lakeError)))
      report(`ecslog: the lake's last rows could not be written: ${lakeError.message}`);
  }
  report(describeIngest(total, store.description, displayPath(io.cwd, home.quarantine)));
  if (total.unwritten.length > 0 || total.stopped) {
    const saved = await saveUnwritten(home, total.unwritten, io.now());
    report(describeUnwritten(total, saved, { cwd: io.cwd, lastSource, notRead }));
  }
  if (halfOpen) {
    await releaseLock(home.lock, process.pid);
    process.exit(1);
  }
  if (unreadable > 0 || total.unwritten.length > 0 || total.stopped) return 1;
  return total.invalid > 0 ? 2 : 0;
}

/**
 * Opens a store while watching for dynalite's uncaught storage errors (a full disk makes its
 * first request throw outside any callback of ours, and that request never answers): rejects
 * with the fault instead of waiting forever, after `onFault`.
 */
async function openWatchingStorage<T>(open: () => Promise<T>, onFault: () => void): Promise<T> {
  let onUncaught: ((error: Error) => void) | undefined;
  const fault = new Promise<never>((_, reject) => {
    onUncaught = (error: Error) => {
      const storage = storageFaultOf(error);
      if (!storage) {
        process.stderr.write(`${error.stack ?? String(error)}\n`);
        process.exit(1);
      }
      onFault();
      reject(storage);
    };
    process.on('uncaughtException', onUncaught);
  });
  try {
    return await Promise.race([open(), fault]);
  } finally {
    // Later storage errors of a half-open store are the same fault: keep them quiet.
    if (onUncaught) {
      const listener = onUncaught;
      process.off('uncaughtException', listener);
      process.on('uncaughtException', (error: Error) => {
        if (!storageFaultOf(error)) listener(error);
      });
    }
  }
}

function sameCode(a: Error | undefined, b: Error): boolean {
  const code = (error: Error | undefined) => {
    const codes = error as { code?: unknown; faultCode?: unknown } | undefined;
    return codes?.faultCode ?? codes?.code;
  };
  return code(a) !== undefined && code(a) === code(b);
}

/**
 * True when the local store's server (a running `ecslog local`) is gone, so that this process may
 * open the store files itself instead.
 */
function canOpenDirectly(store: AuditStoreConnection, error: Error): boolean {
  return (
    store.kind === 'local' &&
    (store as Partial<LocalStore>).owned === false &&
    (error as { faultCode?: unknown }).faultCode === 'ECONNREFUSED'
  );
}

/** One line: why the ingest stopped, or how many inputs failed, and where they are kept. */
export function describeUnwritten(
  summary: IngestSummary,
  saved: SavedUnwritten,
  where: { cwd: string; lastSource?: string; notRead: readonly string[] },
): string {
  const count = summary.unwritten.length;
  const stored = summary.inputs - count;
  const kept =
    count === 0
      ? ''
      : saved.path !== undefined
        ? `; the ${count} inputs not stored are kept in ${displayPath(where.cwd, saved.path)}${saved.note ? ` (${saved.note})` : ''} — ingest that file again`
        : `; the ${count} inputs not stored could not be saved (${saved.note}): ingest ${where.lastSource ?? 'the input'} again`;
  const unread =
    where.notRead.length === 0
      ? ''
      : `; not read: ${where.notRead.slice(0, 3).join(', ')}${where.notRead.length > 3 ? ` and ${where.notRead.length - 3} more` : ''}`;
  if (summary.stopped)
    return `ecslog: stopped after ${stored} of ${summary.inputs} inputs: ${summary.stopped.reason}${kept}${unread}`;
  return `ecslog: ${count} inputs could not be stored${kept}`;
}

/** Options of an ingest session beyond the store. */
export interface StoreIngestOptions {
  /** Asked before each batch: a reason stops the session's ingest there. */
  stopRequested?: () => string | undefined;
  /** Local mode's notifier, told of the records stored (`ecslog ingest` passes none). */
  notifier?: EventIngestOptions['notifier'];
}

/**
 * An ingest session on an open store: the audit writer, the quarantine file in `$ECSLOG_HOME`,
 * and (local store only) the local lake. `summary()` adds up every `ingest` call. A store that
 * goes away (connection refused) or whose disk fills up stops the session's ingest at once
 * ({@link guardStoreClient}).
 */
export function createStoreIngest(
  store: AuditStoreConnection,
  home: EcslogHome,
  retentionDays: number,
  report: (line: string) => void,
  options: StoreIngestOptions = {},
) {
  const lake = store.kind === 'local' ? createLocalLakeWriter({ root: home.root }) : undefined;
  const guard = guardStoreClient(store.client, {
    endpoint: store.endpoint,
    inProcess: store.kind === 'local' && (store as Partial<LocalStore>).owned === true,
  });
  const ingest = createEventIngest({
    writer: createAuditWriter({ client: store.client, tableName: store.tableName, retentionDays }),
    quarantine: createFileQuarantine({ path: home.quarantine }),
    lake,
    report,
    stopRequested: options.stopRequested,
    notifier: options.notifier,
  });
  const total = emptySummary();
  return {
    async ingest(inputs: readonly EventInput[]): Promise<IngestSummary> {
      const summary = await ingest(inputs);
      addInto(total, summary);
      return summary;
    },
    summary: () => total,
    close: async () => {
      guard.dispose();
      await lake?.close();
    },
  };
}

/** A session whose store could not be reopened: nothing left to close. */
function closedSession(): ReturnType<typeof createStoreIngest> {
  return {
    ingest: async (inputs) => ({
      ...emptySummary(),
      inputs: inputs.length,
      unwritten: [...inputs],
    }),
    summary: emptySummary,
    close: async () => undefined,
  };
}

function emptySummary(): IngestSummary {
  return {
    inputs: 0,
    unwritten: [],
    ...(Object.fromEntries(METRIC_NAMES.map((name) => [name, 0])) as Tally),
  };
}

/** Adds `summary` into `total` (the first stop is kept). */
function addInto(total: IngestSummary, summary: IngestSummary): void {
  for (const key of ['inputs', ...METRIC_NAMES] as const) total[key] += summary[key];
  total.unwritten.push(...summary.unwritten);
  if (summary.stopped && !total.stopped) total.stopped = summary.stopped;
}

/** A first attempt and the ingest of its unwritten inputs: counts of both, one input once. */
function addSummaries(first: IngestSummary, again: IngestSummary): IngestSummary {
  const sum = emptySummary();
  for (const key of ['inputs', ...METRIC_NAMES] as const) sum[key] = first[key] + again[key];
  sum.inputs = first.inputs; // the same inputs, fed twice
  return sum;
}

/** One line: what was read and what became of it. */
export function describeIngest(summary: IngestSummary, where: string, quarantine: string): string {
  const parts = [
    `ingested ${summary.inputs} inputs into ${where}: ${summary.mapped} mapped → ${summary.written + summary.stale} records stored (${summary.stale} of them duplicates or not their resource's newest state)`,
    ...(summary.expired > 0 ? [`${summary.expired} past the retention period (not stored)`] : []),
    `${summary.ignored} ignored`,
    `${summary.invalid} invalid${summary.invalid > 0 ? ` (quarantined in ${quarantine})` : ''}`,
    ...(summary.unwritten.length > 0 ? [`${summary.unwritten.length} not stored`] : []),
  ];
  return parts.join('; ');
}

/** Where the unwritten inputs went: a path, and a note when not where expected. */
export interface SavedUnwritten {
  path?: string;
  note?: string;
}

/**
 * Saves the inputs not stored as NDJSON, in `$ECSLOG_HOME`, or — when that cannot be written (a
 * full disk) — in the system's temporary directory.
 */
export async function saveUnwritten(
  home: EcslogHome,
  inputs: readonly EventInput[],
  now: number,
  fallbackDir: string = tmpdir(),
): Promise<SavedUnwritten> {
  if (inputs.length === 0) return {};
  const name = `unwritten-${new Date(now).toISOString().replace(/[:.]/g, '-')}.ndjson`;
  // Each input as read, one a line: a line that is not UTF-8 as its own bytes.
  const text = Buffer.concat(inputs.flatMap((input) => [inputBytes(input), NEWLINE]));
  let homeError: Error | undefined;
  for (const dir of [home.root, fallbackDir]) {
    const path = join(dir, name);
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(path, text, { mode: 0o600 });
      return homeError
        ? {
            path,
            note: `not in ${home.root}: ${(homeError as { code?: string }).code ?? homeError.message}`,
          }
        : { path };
    } catch (error) {
      // A half-written file would be ingested as if it were whole.
      await rm(path, { force: true }).catch(() => undefined);
      if (!homeError) homeError = error as Error;
      else
        return {
          note: `${(homeError as { code?: string }).code ?? homeError.message} in ${home.root}, ${(error as { code?: string }).code ?? (error as Error).message} in ${dir}`,
        };
    }
  }
  return { note: 'nowhere to write' };
}

const NEWLINE = Buffer.from('\n');
