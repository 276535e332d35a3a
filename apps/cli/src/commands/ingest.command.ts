/**
 * `ecslog ingest`: its options and help, and `--retention-days` (redrive's too). What it runs is
 * in ingest.run.ts, loaded when it runs.
 */
import type { StoreOptions } from '@ecslog/store-connection';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { addStoreOptions, STORE_HELP } from './store-options';
import type { CliIo } from './cli-io';

export interface IngestOptions extends StoreOptions {
  retentionDays: number;
}

/** The ingest Lambda's default: keep records 30 days after the change. */
export const DEFAULT_RETENTION_DAYS = 30;

const HELP_AFTER = `
Reads what \`ecslog map\` reads (EventBridge events, CloudTrail records and log files, LookupEvents
responses, arrays, NDJSON, gzipped or not, directories) and writes it through the ingest Lambda's
own code: mapped records to the audit table (and, in local mode, the lake in $ECSLOG_HOME/lake),
invalid inputs to $ECSLOG_HOME/quarantine.ndjson, kept whole (so is an event DynamoDB can never
store, such as one over its 400 KB item limit). Ingesting the same events again writes nothing new.

Ctrl-C stops after the batch in flight. If the \`ecslog local\` it writes through stops, it goes on
with the store files itself; a full disk or a store it cannot reach stops it at once. Either way
one line says what was stored, and what was not is kept in $ECSLOG_HOME/unwritten-*.ndjson (or
the temporary directory, when that disk is full) to be ingested again.

Exit status: 0 all stored or ignored; 2 some input was invalid (quarantined);
             1 some file could not be read, or some input could not be stored.
${STORE_HELP}

Examples:
  $ ecslog ingest events.ndjson
  $ ecslog simulate | ecslog ingest -
  $ ecslog ingest --table ecslog-audit --region eu-west-1 cloudtrail/`;

/** Adds `ecslog ingest`. */
export function registerIngestCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): Command {
  return addStoreOptions(
    program
      .command('ingest')
      .summary('write events to the audit log through the ingest code')
      .description(
        'Write ECS events and CloudTrail records to the audit log, through the same code as the ingest Lambda.',
      )
      .argument('[inputs...]', 'files, directories, or - for stdin (the default)')
      .addOption(retentionDaysOption()),
  )
    .addHelpText('after', HELP_AFTER)
    .action(async (inputs: string[], options: IngestOptions) => {
      const { runIngest } = await import('./ingest.run.js');
      setExitCode(await runIngest(inputs, options, io));
    });
}

/** `--retention-days <days>`, a positive whole number (default 30): ingest's and redrive's. */
export function retentionDaysOption(): Option {
  return new Option('--retention-days <days>', 'keep records this many days after the change')
    .argParser(positiveInteger)
    .default(DEFAULT_RETENTION_DAYS);
}

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new InvalidArgumentError('must be a positive whole number of days');
  return value;
}
