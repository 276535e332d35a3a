/**
 * What `ecslog redrive` runs (its options are in redrive.command.ts): the parked sources read
 * through their AWS clients, replayed through the ingest code into the store.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createAuditWriter } from '@ecslog/audit-store';
import { createLocalLakeWriter } from '@ecslog/local-lake';
import type { AuditStoreConnection } from '@ecslog/store-connection';
import { displayPath, ecslogHome } from '@ecslog/store-connection';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { ParkedSource } from '../redrive/parked-source';
import { createQuarantineFileSource } from '../redrive/quarantine-file-source';
import type { SourceSummary } from '../redrive/redrive';
import { redrive, redriveExitCode } from '../redrive/redrive';
import { createS3Source } from '../redrive/s3-source';
import { createSqsSource } from '../redrive/sqs-source';
import { createStreamRangeReader } from '../redrive/stream-range-reader';
import type { CliIo } from './cli-io';
import { QueryError } from './cli-io';
import { withStore } from './query-support';
import type { RedriveCommandOptions } from './redrive.command';

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
