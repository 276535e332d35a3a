/**
 * `ecslog redrive`: its options and help. What it runs is in redrive.run.ts, loaded when it runs
 * (the SQS, S3 and Kinesis clients with it).
 */
import type { StoreOptions } from '@ecslog/store-connection';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { CliIo } from './cli-io';
import { retentionDaysOption } from './ingest.command';
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
        const { runRedrive } = await import('./redrive.run.js');
        setExitCode(
          await runRedrive({ ...options, queue, failureBucket: options.failureBucket ?? [] }, io),
        );
      },
    );
}

function seconds(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 43_200)
    throw new InvalidArgumentError('must be a whole number from 0 to 43200');
  return value;
}
