import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createAuditWriter } from '@ecslog/audit-store';
import { createLocalLakeWriter } from '@ecslog/local-lake';
import type { AuditStoreConnection, StoreOptions } from '@ecslog/store-connection';
import { displayPath, ecslogHome } from '@ecslog/store-connection';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { ParkedSource } from '../redrive/parked-source';
import { createQuarantineFileSource } from '../redrive/quarantine-file-source';
import type { SourceSummary } from '../redrive/redrive';
import { redrive, redriveExitCode } from '../redrive/redrive';
import { createS3Source } from '../redrive/s3-source';
import { createSqsSource } from '../redrive/sqs-source';
import { createStreamRangeReader } from '../redrive/stream-range-reader';
import type { CliIo } from './cli-io';
import { QueryError } from './cli-io';
import { retentionDaysOption } from './ingest.command';
import { withStore } from './query-support';
import { addStoreOptions, STORE_HELP } from './store-options';

export interface RedriveCommandOptions extends StoreOptions {
  queue: string[];
  failureBucket: string[];
  stream?: string;
  quarantine?: boolean;
  visibilityTimeout: number;
  retentionDays: number;
  dryRun?: boolean;
  json?: boolean;
}

/** What the command talks to; each built from --region/--profile unless a test passes its own. */
export interface RedriveClients {
  sqs?: SQSClient;
  s3?: S3Client;
  kinesis?: KinesisClient;
  /** An open audit table (tests); otherwise the store the options name. */
  store?: AuditStoreConnection;
  /** Pause before ingest attempt n, and between GetRecords calls (tests: none). */
  pause?: (attempt: number) => Promise<void>;
}

/** Where a Kinesis event-source mapping's S3 on-failure destination writes its objects. */
export const LAMBDA_FAILURE_PREFIX = 'aws/lambda/';

const HELP_AFTER = `
Replays what the pipeline parked, through the ingest Lambda's own code (the mapper runs again, so
a mapper fix recovers quarantined events), into the audit table:
  --queue URL            a rule target dead-letter queue (the EventBridge event), the ingest
                         function's on-failure queue (Lambda invocation records), a stream's
                         pointer-only failure queue (read back from the stream while it holds
                         the records) or the SQS quarantine — recognised per message;
  --failure-bucket B/P   the stream's on-failure bucket (invocation records with the batch),
                         under the prefix P (default aws/lambda/, where Lambda writes them);
  --quarantine           local mode's $ECSLOG_HOME/quarantine.ndjson.
A message, object or line is deleted only once everything from it is stored; still-invalid or
unstored ones stay where they are. Running it again stores nothing new. --dry-run reads and
reports only: nothing is written or deleted, and received messages are made visible again.

Exit status: 0 everything replayed; 2 some events are still invalid (kept);
             1 something could not be read or stored (kept).
${STORE_HELP}

Examples:
  $ ecslog redrive --quarantine --dry-run
  $ ecslog redrive --table ecslog-prod-audit --region eu-west-1 \\
      --queue https://sqs.eu-west-1.amazonaws.com/111122223333/ecslog-prod-ingest-dlq \\
      --failure-bucket ecslog-prod-stream-failures/aws/lambda/`;

/** Adds `ecslog redrive`. */
export function registerRedriveCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): Command {
  // Repeatable options start unset (commander would print `(default: [])` otherwise).
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  return addStoreOptions(
    program
      .command('redrive')
      .summary('replay parked events: dead-letter queues, stream failures, the quarantine')
      .description(
        'Replay what the pipeline parked (dead-letter and failure queues, the stream failure bucket, the quarantine) into the audit log, idempotently.',
      )
      .option('--queue <url>', 'an SQS queue to replay (repeatable)', collect)
      .option('--quarantine-queue <url>', 'the SQS quarantine (same as --queue)', collect)
      .option(
        '--failure-bucket <name[/prefix]>',
        'the stream on-failure bucket, and a prefix in it (default aws/lambda/; repeatable)',
        collect,
      )
      .option('--stream <name>', 'read pointer-only Kinesis failures from this stream')
      .option('--quarantine', 'the local quarantine file, $ECSLOG_HOME/quarantine.ndjson')
      .option(
        '--visibility-timeout <seconds>',
        'how long received messages stay hidden while the run lasts',
        seconds,
        900,
      )
      .addOption(retentionDaysOption())
      .option('--dry-run', 'read and report only: write nothing, delete nothing')
      .option('--json', 'print the summary as JSON on stdout'),
  )
    .addHelpText('after', HELP_AFTER)
    .action(
      async (
        options: Omit<RedriveCommandOptions, 'queue' | 'failureBucket'> & {
          queue?: string[];
          quarantineQueue?: string[];
          failureBucket?: string[];
        },
      ) => {
        const queue = [...(options.queue ?? []), ...(options.quarantineQueue ?? [])];
        setExitCode(
          await runRedrive({ ...options, queue, failureBucket: options.failureBucket ?? [] }, io),
        );
      },
    );
}

/** Runs a redrive; the exit status. */
export async function runRedrive(
  options: RedriveCommandOptions,
  io: CliIo,
  clients: RedriveClients = {},
): Promise<number> {
  if (options.queue.length === 0 && options.failureBucket.length === 0 && !options.quarantine)
    throw new QueryError(
      'nothing to redrive: give --queue URL, --failure-bucket NAME or --quarantine',
    );
  const home = ecslogHome(io.env, io.cwd);
  const aws = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
  };
  const owned: { destroy(): void }[] = [];
  const own = <T extends { destroy(): void }>(client: T): T => (owned.push(client), client);
  // A queue URL names its region: without --region, each queue is read in its own.
  const sqsByRegion = new Map<string, SQSClient>();
  const sqs = (queueUrl: string) => {
    if (clients.sqs) return clients.sqs;
    const region = options.region ?? regionOfQueueUrl(queueUrl);
    const key = region ?? '';
    let client = sqsByRegion.get(key);
    if (!client) {
      client = own(new SQSClient({ ...aws, ...(region ? { region } : {}) }));
      sqsByRegion.set(key, client);
    }
    return client;
  };
  const s3 = () => (clients.s3 ??= own(new S3Client(aws)));
  // HTTP/1.1: Kinesis's GetRecords needs nothing more (and some endpoints offer nothing more).
  const kinesis = () =>
    (clients.kinesis ??= own(new KinesisClient({ ...aws, requestHandler: new NodeHttpHandler() })));

  const sources: ParkedSource[] = [
    ...options.queue.map((queueUrl) =>
      createSqsSource({
        client: sqs(queueUrl),
        queueUrl,
        visibilityTimeoutSeconds: options.visibilityTimeout,
      }),
    ),
    ...options.failureBucket.map((spec) => {
      const [bucket = '', ...rest] = spec.replace(/^s3:\/\//, '').split('/');
      // Lambda writes failed batches under aws/lambda/<mapping>/<shard>/…: nothing else is read.
      const prefix = rest.length > 0 ? rest.join('/') : LAMBDA_FAILURE_PREFIX;
      return createS3Source({ client: s3(), bucket, prefix });
    }),
    ...(options.quarantine ? [createQuarantineFileSource(home.quarantine)] : []),
  ];
  const report = (line: string) => io.stderr.write(`${line}\n`);
  const pause = clients.pause;

  const run = async (store: AuditStoreConnection) => {
    const lake =
      store.kind === 'local' && !options.dryRun
        ? createLocalLakeWriter({ root: home.root })
        : undefined;
    try {
      return await redrive({
        sources,
        writer: createAuditWriter({
          client: store.client,
          tableName: store.tableName,
          retentionDays: options.retentionDays,
          // Redriven events are stored, never told: the notifier skips items marked `redrive`.
          origin: 'redrive',
        }),
        lake,
        readStreamRange: createStreamRangeReader({
          client: kinesis(),
          streamName: options.stream,
          ...(pause ? { pause: () => pause(1) } : {}),
        }),
        dryRun: Boolean(options.dryRun),
        report,
        pause,
      });
    } finally {
      await lake?.close();
    }
  };
  let summaries: SourceSummary[];
  let where: string;
  try {
    if (clients.store) {
      summaries = await run(clients.store);
      where = clients.store.description;
    } else {
      [summaries, where] = await withStore(io, options, async (store) => [
        await run(store),
        store.description,
      ]);
    }
  } finally {
    for (const client of owned) client.destroy();
  }

  const code = redriveExitCode(summaries);
  for (const summary of summaries) report(describeSource(summary, Boolean(options.dryRun)));
  report(
    options.dryRun
      ? `dry run: nothing written to ${where}, nothing deleted`
      : `replayed into ${where}${options.quarantine ? ` (quarantine: ${displayPath(io.cwd, home.quarantine)})` : ''}`,
  );
  if (options.json)
    io.stdout.write(
      `${JSON.stringify({ dryRun: Boolean(options.dryRun), store: where, exitCode: code, sources: summaries })}\n`,
    );
  return code;
}

/** One line per source: what was read and what became of it. */
export function describeSource(summary: SourceSummary, dryRun: boolean): string {
  const verb = dryRun ? 'would replay' : 'replayed';
  return (
    `${summary.source}: read ${summary.read}, ${verb} ${summary.replayed}, still invalid ${summary.stillInvalid}, failed ${summary.failed}` +
    (dryRun
      ? `; ${summary.events} events`
      : `; ${summary.events} events → ${summary.written} records stored, ${summary.alreadyStored} already stored`) +
    (summary.error ? ` (${summary.error})` : '')
  );
}

/** `eu-west-1` from `https://sqs.eu-west-1.amazonaws.com/…` (or the legacy `eu-west-1.queue.amazonaws.com`). */
export function regionOfQueueUrl(queueUrl: string): string | undefined {
  const match =
    /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\//.exec(queueUrl) ??
    /^https:\/\/([a-z0-9-]+)\.queue\.amazonaws\.com(?:\.cn)?\//.exec(queueUrl);
  return match?.[1];
}

function seconds(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 43_200)
    throw new InvalidArgumentError('must be a whole number from 0 to 43200');
  return value;
}
