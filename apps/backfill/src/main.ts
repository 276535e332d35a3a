/**
 * Composition root of the backfill (`ecslog backfill …`, `npx nx run backfill:run -- …`): reads
 * the options, builds the source and the sink, runs, reports. The only module that touches
 * `process`.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseTimestamp, stringifyJson } from '@ecslog/ecs-event-mapper';
import type { AuditStoreConnection } from '@ecslog/store-connection';
import { displayPath, ecslogHome, openLocalStore } from '@ecslog/store-connection';
import type { BackfillSink } from './backfill-sink';
import type { BackfillSource } from './backfill-source';
import { BackfillSetupError } from './backfill-source';
import { progressLine, renderSummary } from './backfill-report';
import { readCheckpoint, writeCheckpoint } from './checkpoint';
import type { InvalidRecord } from './run-backfill';
import { runBackfill } from './run-backfill';
import { createStoreSink } from './sinks/store-sink';
import { createKinesisSink, kinesisClient } from './sinks/kinesis-sink';
import { cloudTrailClient, createLookupSource } from './sources/lookup-source';
import { createS3Source, s3Client } from './sources/s3-source';
import { createDirSource } from './sources/dir-source';

interface BackfillOptions {
  lookup?: boolean;
  s3?: string;
  dir?: string;
  since?: string;
  from?: string;
  to?: string;
  sink: 'store' | 'kinesis';
  region?: string[];
  account?: string[];
  profile?: string;
  table?: string;
  stream?: string;
  retentionDays: number;
  checkpoint?: string;
  resume?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/** LookupEvents keeps 90 days of history. */
const LOOKUP_DAYS = 90;
const SINKS = ['store', 'kinesis'] as const;

const HELP_AFTER = `
Sources (exactly one):
  --lookup              CloudTrail LookupEvents (EventSource ecs.amazonaws.com), last 90 days,
                        2 requests/s per account and region
  --s3 s3://bucket/p    CloudTrail log files: only the account/region/day folders of the window
  --dir PATH            the same files in a local folder (that layout, or any .json.gz/.json)
Sinks: --sink store (default: the local store, or --table NAME in AWS) or --sink kinesis --stream NAME.
Window: --since 7d (default), or --from T [--to T] (as every ecslog command reads a range).

Re-running a window writes nothing new; --resume continues after a crash or Ctrl-C (the checkpoint
is $ECSLOG_HOME/backfill-checkpoint.json unless --checkpoint FILE). Invalid records are kept in
$ECSLOG_HOME/quarantine.ndjson. Exit status: 0 done; 1 could not start, or could not write;
2 stopped early (Ctrl-C) or some file was unreadable.

Examples:
  $ ecslog backfill --lookup --since 7d --region eu-west-1 --region us-east-1
  $ ecslog backfill --s3 s3://my-trail-bucket/org --from 2026-11-01 --to 2026-11-20 --table ecslog-audit --region eu-west-1
  $ ecslog backfill --dir ./AWSLogs --dry-run
  $ ecslog backfill --lookup --sink kinesis --stream ecslog-events --region eu-west-1`;

export function createBackfillCommand(setExitCode: (code: number) => void): Command {
  return new Command('backfill')
    .description(
      'Replay CloudTrail history (ECS API calls, incl. RunTask placement failures) into the audit log.',
    )
    .option('--lookup', 'read CloudTrail LookupEvents')
    .option('--s3 <url>', 'read CloudTrail log files from s3://bucket/prefix')
    .option('--dir <path>', 'read CloudTrail log files from a folder')
    .option('--since <duration>', 'the window back from now: 30m, 24h, 7d (default 7d)')
    .option('--from <time>', 'window start (ISO-8601; zone-less is UTC)')
    .option('--to <time>', 'window end (default now)')
    .addOption(new Option('--sink <sink>', 'where the records go').choices(SINKS).default('store'))
    .option(
      '--region <region>',
      'region to read (LookupEvents, S3 filter); the first is also the sink region',
      collect,
    )
    .option('--account <id>', 'account to read (S3 filter)', collect)
    .option('--profile <profile>', 'AWS profile')
    .option('--table <name>', 'the audit table in AWS (default: the local store)')
    .option('--stream <name>', 'the Kinesis stream for --sink kinesis')
    .option(
      '--retention-days <days>',
      'keep records this many days after the change',
      positiveInteger,
      30,
    )
    .option('--checkpoint <file>', 'the checkpoint file')
    .option('--resume', 'continue the run the checkpoint describes')
    .option('--dry-run', 'map and report; write nothing')
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', HELP_AFTER)
    .action(async (options: BackfillOptions) => {
      setExitCode(await backfill(options));
    });
}

async function backfill(options: BackfillOptions): Promise<number> {
  const home = ecslogHome(process.env, process.cwd());
  const now = Date.now();
  const checkpointPath = options.checkpoint ?? join(home.root, 'backfill-checkpoint.json');
  const asked = readWindowAndSink(options, now);
  const sinkKind = asked.sinkKind;
  // A resumed run reads the window it started with: `--since 7d` a day later means another window.
  const saved = options.resume ? await readCheckpoint(checkpointPath) : undefined;
  const window = saved?.window
    ? { from: new Date(saved.window.from), to: new Date(saved.window.to) }
    : asked.window;
  const region = options.region?.[0];
  const source = buildSource(options, window);
  let store: AuditStoreConnection | undefined;
  let sink: BackfillSink | undefined;
  if (!options.dryRun) {
    if (sinkKind === 'kinesis') {
      if (!options.stream) throw new BackfillSetupError('--sink kinesis needs --stream NAME');
      sink = createKinesisSink({
        client: kinesisClient({ region, profile: options.profile }),
        streamName: options.stream,
      });
    } else if (options.table) {
      const client = new DynamoDBClient({
        ...(region ? { region } : {}),
        ...(options.profile ? { profile: options.profile } : {}),
      });
      sink = createStoreSink({
        client,
        tableName: options.table,
        retentionDays: options.retentionDays,
        description: `table ${options.table}`,
      });
    } else {
      store = await openLocalStore({ home, role: 'command', cwd: process.cwd() });
      sink = createStoreSink({
        client: store.client,
        tableName: store.tableName,
        retentionDays: options.retentionDays,
        description: store.description,
      });
    }
  }
  const quarantinePath = home.quarantine;
  let stop = false;
  const onSignal = () => {
    stop = true;
    process.stderr.write('\nstopping after the current chunk (Ctrl-C again to abort)…\n');
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  const started = Date.now();
  const tty = process.stderr.isTTY === true;
  try {
    const outcome = await runBackfill({
      source,
      sink,
      resume: options.resume ?? false,
      window: { from: window.from.toISOString(), to: window.to.toISOString() },
      checkpoint: {
        read: () => readCheckpoint(checkpointPath),
        write: (c) => writeCheckpoint(checkpointPath, c),
      },
      quarantine: (records) => quarantine(quarantinePath, records),
      stopRequested: () => stop,
      onChunk: (tally) => {
        if (tty)
          process.stderr.write(
            `\r\x1b[K${progressLine({ tally, elapsedMs: Date.now() - started, totalChunks: source.estimate?.().chunks })}`,
          );
      },
    });
    if (tty) process.stderr.write('\n');
    const summary = {
      source: source.description,
      sink: sink?.description ?? (options.table ? `table ${options.table}` : 'the local store'),
      dryRun: options.dryRun ?? false,
      complete: outcome.complete,
      seconds: (Date.now() - started) / 1000,
      tally: outcome.tally,
    };
    process.stdout.write(
      options.json ? `${JSON.stringify(summary)}\n` : `${renderSummary(summary)}\n`,
    );
    if (outcome.tally.invalid > 0)
      process.stderr.write(
        `${outcome.tally.invalid} invalid records kept in ${displayPath(process.cwd(), quarantinePath)}\n`,
      );
    return outcome.complete && outcome.tally.unreadable.length === 0 ? 0 : 2;
  } finally {
    process.off('SIGINT', onSignal);
    await store?.close();
  }
}

function buildSource(options: BackfillOptions, window: { from: Date; to: Date }): BackfillSource {
  const chosen = [
    options.lookup ? 'lookup' : undefined,
    options.s3 ? 's3' : undefined,
    options.dir ? 'dir' : undefined,
  ].filter(Boolean);
  if (chosen.length !== 1)
    throw new BackfillSetupError(
      'choose exactly one source: --lookup, --s3 s3://bucket/prefix or --dir PATH',
    );
  if (options.lookup) {
    const regions =
      options.region ?? (process.env['AWS_REGION'] ? [process.env['AWS_REGION']] : []);
    if (regions.length === 0)
      throw new BackfillSetupError('--lookup needs --region (one or more) or AWS_REGION');
    if (window.from.getTime() < Date.now() - LOOKUP_DAYS * 86_400_000)
      throw new BackfillSetupError(
        `LookupEvents keeps ${LOOKUP_DAYS} days: --from must be later than ${new Date(Date.now() - LOOKUP_DAYS * 86_400_000).toISOString()} (use --s3 for older history)`,
      );
    return createLookupSource({
      clientFor: (region: string) => cloudTrailClient({ region, profile: options.profile }),
      regions,
      ...window,
    });
  }
  if (options.s3) {
    const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(options.s3);
    if (!match)
      throw new BackfillSetupError(`--s3 must look like s3://bucket/prefix, got ${options.s3}`);
    return createS3Source({
      client: s3Client({ region: options.region?.[0], profile: options.profile }),
      bucket: match[1] as string,
      prefix: (match[2] ?? '').replace(/\/$/, ''),
      ...window,
      ...(options.account ? { accounts: options.account } : {}),
      ...(options.region ? { regions: options.region } : {}),
    });
  }
  return createDirSource({ path: options.dir as string, ...window });
}

/** The window from --since, or --from / --to, and the sink from --sink. */
function readWindowAndSink(
  options: BackfillOptions,
  now: number,
): { window: { from: Date; to: Date }; sinkKind: string } {
  // `--to` was once also the sink: say where the sink went rather than "not a time".
  if (options.to !== undefined && (SINKS as readonly string[]).includes(options.to))
    throw new BackfillSetupError(
      `--to is the window's end (a time); the sink is --sink ${options.to}`,
    );
  if (options.since && (options.from || options.to))
    throw new BackfillSetupError('use either --since or --from/--to, not both');
  const to = options.to === undefined ? new Date(now) : instant('--to', options.to);
  const from =
    options.from !== undefined
      ? instant('--from', options.from)
      : new Date(now - sinceMs(options.since ?? '7d'));
  if (from > to)
    throw new BackfillSetupError(
      `the window ends before it starts: ${from.toISOString()} .. ${to.toISOString()}`,
    );
  return { window: { from, to }, sinkKind: options.sink };
}

function instant(option: string, text: string): Date {
  const iso = parseTimestamp(text);
  if (iso === undefined)
    throw new BackfillSetupError(
      `${option} must be a time such as 2026-11-20T03:00:00Z, got "${text}"`,
    );
  return new Date(iso);
}

function sinceMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([mhdw])$/.exec(text.trim());
  if (!match)
    throw new BackfillSetupError(
      `--since must be a duration such as 30m, 24h, 7d or 2w, got "${text}"`,
    );
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[
    match[2] as 'm' | 'h' | 'd' | 'w'
  ];
  return Number(match[1]) * unit;
}

async function quarantine(path: string, records: readonly InvalidRecord[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const receivedAt = new Date().toISOString();
  await appendFile(
    path,
    records
      .map(
        (r) =>
          // stringifyJson: a record nested too deep (why it is invalid) is written, not a RangeError.
          stringifyJson({
            source: 'backfill',
            receivedAt,
            reason: r.reason,
            origin: { position: r.position },
            payload: r.input,
            payloadEncoding: 'json',
          }) + '\n',
      )
      .join(''),
  );
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new InvalidArgumentError('must be a positive whole number of days');
  return value;
}

const EXPLAINED = new Set([
  'BackfillSetupError',
  'BackfillWriteError',
  'StoreUnavailableError',
  'LookupEventsError',
]);

function main(): void {
  // A closed stderr must not crash the process, and a reader that went away from stdout
  // (`ecslog backfill --help | head -3`) is a normal end, not a crash.
  process.stderr.on('error', () => undefined);
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  const setExitCode = (code: number) => {
    process.exitCode = code;
  };
  createBackfillCommand(setExitCode)
    .name('ecslog backfill')
    .exitOverride()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      if (error instanceof CommanderError) return setExitCode(error.exitCode);
      const e = error instanceof Error ? error : new Error(String(error));
      process.stderr.write(
        process.env['ECSLOG_DEBUG']
          ? `ecslog backfill: ${e.stack}\n`
          : `ecslog backfill: ${EXPLAINED.has(e.name) ? e.message : `${e.name}: ${e.message}`}\n`,
      );
      setExitCode(1);
    });
}

main();
