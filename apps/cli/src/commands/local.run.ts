/**
 * What `ecslog local` runs (its options are in local.command.ts): the store served on loopback,
 * a simulated day on first start, the notifier, the web view, until Ctrl-C.
 */
import type { LocalStore } from '@ecslog/store-connection';
import { displayPath, ecslogHome, openLocalStore, releaseLock } from '@ecslog/store-connection';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SIMULATED_ACCOUNT, simulateDay } from '@ecslog/simulator';
import type { EventValue } from '../event-inputs';
import { renderFailureGroups } from './failures.run';
import { renderRuns } from './tasks.run';
import { groupFailures } from '@ecslog/task-runs';
import { lastDayStart } from './simulate.run';
import type { CliIo } from './cli-io';
import { DEFAULT_RETENTION_DAYS } from './ingest.command';
import { createStoreIngest, describeIngest } from './ingest.run';
import { storageFaultOf } from '../pipeline/store-fault-guard';
import { openBrowser, startWebViewProcess } from './ui.run';
import type { LocalOptions } from './local.command';
import { ChannelConfigError } from '@ecslog/notifier';
import type { Channel } from '@ecslog/notifier';
import type { LocalNotifier } from '../pipeline/local-notifier';
import {
  createLocalNotifier,
  DEAD_LETTERS_FILE,
  LOCAL_TICK_MS,
  localChannelsOf,
  startTicker,
} from '../pipeline/local-notifier';
import { visibleText } from '../output/visible-text';

/** The 24 hours of a simulated day. */
const DAY_MS = 86_400_000;

/** What `simulated-day.json` records, so that a second start reuses the data. */
interface SimulatedDayMarker {
  seed: number;
  /** Which simulated day of this store it is (0 first): each load gets task ARNs of its own. */
  dayOfRun?: number;
  start: string;
  events: number;
  loadedAt: string;
}

/** Runs shown at start, newest last. */
const RUNS_SHOWN = 15;

export async function runLocal(options: LocalOptions, io: CliIo): Promise<number> {
  const home = ecslogHome(io.env, io.cwd);
  const say = (line = '') => io.stdout.write(`${line}\n`);
  const where = (path: string) => displayPath(io.cwd, path);
  let channels: Channel[];
  try {
    channels = localChannelsOf(options.webhook, (line) => say(`notify: ${line}`));
  } catch (error) {
    if (!(error instanceof ChannelConfigError)) throw error;
    io.stderr.write(`ecslog: --webhook: ${visibleText(error.message)}\n`);
    return 1;
  }
  // Listen for Ctrl-C from the start: one during the first load stops right after it, cleanly.
  const stopped = io.waitForStop();
  const store = await openLocalStore({ home, role: 'local', port: options.port, cwd: io.cwd });
  const notifier = createLocalNotifier({
    client: store.client,
    tableName: store.tableName,
    homeRoot: home.root,
    channels,
    now: io.now,
  });
  let ticker: { stop(): Promise<void> } | undefined;
  try {
    say(`ecslog local mode — ${where(home.root)} (ECSLOG_HOME)`);
    say(
      `  store       dynalite at ${store.endpoint}, table ${store.tableName} (data in ${where(home.store)})`,
    );
    if (store.migrated)
      say(
        `  migrated    ${store.migrated.records} records from table layout ${store.migrated.fromLayout} (an older ecslog's); the old store is kept in ${where(store.migrated.backup)}`,
      );
    say(`  lake        ${where(home.lake)}/dt=YYYY-MM-DD/*.ndjson`);
    say(`  quarantine  ${where(home.quarantine)}`);
    say(
      `  incidents   printed here as they open and resolve${options.webhook !== undefined ? `, and sent to the --webhook (${channels[1]?.name ?? 'webhook'})` : ''}; undeliverable ones in ${where(join(home.root, DEAD_LETTERS_FILE))}`,
    );
    say();
    const marker = await readMarker(home.simulatedDay);
    const empty = await store.reader.isEmpty();
    if (options.simulate === true || (options.simulate === undefined && empty && !marker))
      await loadSimulatedDay(
        store,
        options.seed,
        marker ? (marker.dayOfRun ?? 0) + 1 : 0,
        io,
        say,
        {
          first: !marker && empty,
          notifier,
        },
      );
    else if (marker)
      say(
        `Reusing the data loaded on ${marker.loadedAt} (simulated day from ${marker.start}, seed ${marker.seed}; its records are in account ${SIMULATED_ACCOUNT}, shown as "(simulated)").`,
      );
    else if (!empty)
      // Real data: a simulated day would mix fake runs into it.
      say('The store holds ingested data: no simulated day loaded (--simulate loads one).');
    else say('The store is empty (--no-simulate): `npx ecslog ingest FILE` loads your events.');
    await showAuditLog(store, io, say);
    ticker = startTicker(notifier, LOCAL_TICK_MS, (line) => io.stderr.write(`${line}\n`));
    const web = await startWebViewProcess(io, options.uiPort);
    say();
    say(`Web view: ${web.url}   (task runs on a timeline, failures, run details)`);
    say("          the link carries this session's token: the web view answers no one else");
    if (options.open) openBrowser(web.url, io);
    say();
    say('Try, in another terminal (they use this store while it runs):');
    say('  npx ecslog tasks --since 24h            # one line per task run active in the range');
    say('  npx ecslog tasks --running              # the runs open now');
    say('  npx ecslog failures                     # failures by category and service/family');
    say(
      '  npx ecslog incidents                    # incidents: what would have been told, open first',
    );
    say("  npx ecslog task <task id>               # a task's whole timeline");
    say('  npx ecslog events --service api         # service actions and deployments');
    say('  npx ecslog ingest FILE                  # your own events or CloudTrail logs');
    say();
    say('Ctrl-C stops local mode.');
    // A full disk under the store surfaces as dynalite's uncaught LevelDB error: one line, then a
    // clean stop (the lock released), not a stack trace and a stale lock.
    const signal = await Promise.race([stopped, storageFault()]);
    if (signal.startsWith('ecslog local:')) {
      // dynalite's requests in flight never answer now: end them with the process, so the
      // commands using the store see it gone (and save what they had), and free the lock.
      say(`\n${signal}; stopping.`);
      await ticker.stop();
      await web.stop();
      await Promise.race([store.close(), new Promise((resolve) => setTimeout(resolve, 2_000))]);
      await releaseLock(home.lock, process.pid);
      say('stopped; the data stored until then stays in ' + where(home.root));
      process.exit(1);
    }
    say(`\n${signal}: stopping…`);
    await web.stop();
  } finally {
    await ticker?.stop();
    await store.close();
  }
  say('stopped; the data stays in ' + where(home.root));
  return 0;
}

/**
 * Resolves with a one-line reason when dynalite, serving the store in this process, fails to
 * write its files (ENOSPC…); any other uncaught error ends the process as Node would.
 */
function storageFault(): Promise<string> {
  return new Promise((resolve) => {
    const onUncaught = (error: Error) => {
      const fault = storageFaultOf(error);
      if (!fault) {
        process.stderr.write(`${error.stack ?? String(error)}\n`);
        process.exit(1);
      }
      // Kept listening: each request that fails throws again, and is the same fault.
      resolve(`ecslog local: ${fault.message}`);
    };
    process.on('uncaughtException', onUncaught);
  });
}

async function loadSimulatedDay(
  store: LocalStore,
  seed: number,
  dayOfRun: number,
  io: CliIo,
  say: (line?: string) => void,
  { first, notifier }: { first: boolean; notifier: LocalNotifier },
) {
  const home = ecslogHome(io.env, io.cwd);
  const start = lastDayStart(io.now());
  const { events, expected } = simulateDay({ seed, dayOfRun, start });
  say(
    `${first ? 'First start: loading' : 'Loading'} a simulated day (the 24 hours from ${start}, seed ${seed}: ${events.length} events, ${expected.duplicates} delivered twice, some out of order; account ${SIMULATED_ACCOUNT}, shown as "(simulated)")…`,
  );
  const report = (line: string) => io.stderr.write(`${line}\n`);
  const session = createStoreIngest(store, home, DEFAULT_RETENTION_DAYS, report, { notifier });
  const inputs: EventValue[] = events.map((value, index) => ({
    position: `simulated-day:${index + 1}`,
    value,
  }));
  try {
    await session.ingest(inputs);
  } finally {
    await session.close();
  }
  const summary = session.summary();
  say(`  ${describeIngest(summary, store.description, displayPath(io.cwd, home.quarantine))}`);
  if (summary.unwritten.length > 0)
    throw new Error(`${summary.unwritten.length} simulated events could not be stored`);
  // The clock's part once, at the end of the day just loaded (quiet periods, missed runs), then
  // the messages queued meanwhile, by the clock (they were queued at its time, after the day).
  try {
    await notifier.tickAt(Date.parse(start) + DAY_MS);
    await notifier.deliverPending();
  } catch (error) {
    report(
      `ecslog: the notifier could not tell the simulated day's incidents (its timer tries again): ${visibleText(error instanceof Error ? error.message : String(error))}`,
    );
  }
  const marker: SimulatedDayMarker = {
    seed,
    dayOfRun,
    start,
    events: events.length,
    loadedAt: new Date(io.now()).toISOString(),
  };
  await writeFile(home.simulatedDay, JSON.stringify(marker, null, 2) + '\n');
}

/** The failures of the last 24 hours and the latest runs active in them: the audit log at a glance. */
async function showAuditLog(store: LocalStore, io: CliIo, say: (line?: string) => void) {
  const style = { utc: false, now: io.now() };
  const range = {
    from: new Date(io.now() - 86_400_000).toISOString(),
    to: new Date(io.now()).toISOString(),
  };
  const failures = await store.reader.failures(range);
  const { runs } = await store.reader.runsDuring(range);
  say();
  say(`Failures, last 24 hours (${failures.length} records):`);
  if (failures.length > 0) say(renderFailureGroups(groupFailures(failures), style).trimEnd());
  say();
  say(
    `Task runs active in the last 24 hours: ${runs.length}; the latest ${Math.min(RUNS_SHOWN, runs.length)} started:`,
  );
  if (runs.length > 0) say(renderRuns(runs.slice(-RUNS_SHOWN), style).trimEnd());
}

async function readMarker(path: string): Promise<SimulatedDayMarker | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as SimulatedDayMarker;
  } catch {
    return undefined;
  }
}
