import type { AuditStoreConnection, EcslogHome, StoreOptions } from '@ecslog/store-connection';
import { displayPath, ecslogHome } from '@ecslog/store-connection';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { createAuditWriter } from '@ecslog/audit-store';
import { createFileQuarantine, METRIC_NAMES } from '@ecslog/ingest-pipeline';
import { createLocalLakeWriter } from '@ecslog/local-lake';
import type { EventInput } from '../event-inputs';
import { isEventProblem, splitEventInputs } from '../event-inputs';
import type { Tally } from '@ecslog/ingest-pipeline';
import type { IngestSummary } from '../pipeline/event-ingest';
import { createEventIngest } from '../pipeline/event-ingest';
import { visibleText } from '../output/visible-text';
import { readInputFiles } from '../read-input-files';
import { addStoreOptions, STORE_HELP } from './store-options';
import type { CliIo } from './cli-io';
import { withStore } from './query-support';

interface IngestOptions extends StoreOptions {
  retentionDays: number;
}

/** The ingest Lambda's default: keep records 30 days after the change. */
export const DEFAULT_RETENTION_DAYS = 30;

const HELP_AFTER = `
Reads what \`ecslog map\` reads (EventBridge events, CloudTrail records and log files, LookupEvents
responses, arrays, NDJSON, gzipped or not, directories) and writes it through the ingest Lambda's
own code: mapped records to the audit table (and, in local mode, the lake in $ECSLOG_HOME/lake),
invalid inputs to $ECSLOG_HOME/quarantine.ndjson, kept whole. Ingesting the same events again
writes nothing new.

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
      .option(
        '--retention-days <days>',
        'keep records this many days after the change',
        positiveInteger,
        DEFAULT_RETENTION_DAYS,
      ),
  )
    .addHelpText('after', HELP_AFTER)
    .action(async (inputs: string[], options: IngestOptions) => {
      setExitCode(await runIngest(inputs, options, io));
    });
}

export async function runIngest(
  operands: readonly string[],
  options: IngestOptions,
  io: CliIo,
): Promise<number> {
  const home = ecslogHome(io.env, io.cwd);
  // Report lines quote event text (reasons, positions, paths): shown escaped.
  const report = (line: string) => io.stderr.write(`${visibleText(line)}\n`);
  return withStore(io, options, async (store) => {
    const session = createStoreIngest(store, home, options.retentionDays, report);
    let unreadable = 0;
    try {
      for await (const file of readInputFiles(operands, io)) {
        if (file.kind === 'unreadable') {
          unreadable += 1;
          report(`ecslog: cannot read ${file.source}: ${file.reason}`);
          continue;
        }
        await session.ingest(splitEventInputs(file.text, file.source));
      }
    } finally {
      await session.close();
    }
    const summary = session.summary();
    report(describeIngest(summary, store.description, displayPath(io.cwd, home.quarantine)));
    if (summary.unwritten.length > 0) {
      const saved = await saveUnwritten(home, summary.unwritten, io.now());
      report(
        `ecslog: ${summary.unwritten.length} inputs could not be stored; kept in ${displayPath(io.cwd, saved)} — ingest that file again to retry`,
      );
    }
    if (unreadable > 0 || summary.unwritten.length > 0) return 1;
    return summary.invalid > 0 ? 2 : 0;
  });
}

/**
 * An ingest session on an open store: the audit writer, the quarantine file in `$ECSLOG_HOME`,
 * and (local store only) the local lake. `summary()` adds up every `ingest` call.
 */
export function createStoreIngest(
  store: AuditStoreConnection,
  home: EcslogHome,
  retentionDays: number,
  report: (line: string) => void,
) {
  const lake = store.kind === 'local' ? createLocalLakeWriter({ root: home.root }) : undefined;
  const ingest = createEventIngest({
    writer: createAuditWriter({ client: store.client, tableName: store.tableName, retentionDays }),
    quarantine: createFileQuarantine({ path: home.quarantine }),
    lake,
    report,
  });
  const total: IngestSummary = {
    inputs: 0,
    unwritten: [],
    ...(Object.fromEntries(METRIC_NAMES.map((name) => [name, 0])) as Tally),
  };
  return {
    async ingest(inputs: readonly EventInput[]): Promise<IngestSummary> {
      const summary = await ingest(inputs);
      for (const key of ['inputs', ...METRIC_NAMES] as const) total[key] += summary[key];
      total.unwritten.push(...summary.unwritten);
      return summary;
    },
    summary: () => total,
    close: async () => lake?.close(),
  };
}

/** One line: what was read and what became of it. */
export function describeIngest(summary: IngestSummary, where: string, quarantine: string): string {
  const parts = [
    `ingested ${summary.inputs} inputs into ${where}: ${summary.mapped} mapped → ${summary.written + summary.stale} records stored (${summary.stale} of them duplicates or not their resource's newest state)`,
    ...(summary.expired > 0 ? [`${summary.expired} past the retention period (not stored)`] : []),
    `${summary.ignored} ignored`,
    `${summary.invalid} invalid${summary.invalid > 0 ? ` (quarantined in ${quarantine})` : ''}`,
  ];
  return parts.join('; ');
}

async function saveUnwritten(
  home: EcslogHome,
  inputs: readonly EventInput[],
  now: number,
): Promise<string> {
  await mkdir(home.root, { recursive: true });
  const path = join(
    home.root,
    `unwritten-${new Date(now).toISOString().replace(/[:.]/g, '-')}.ndjson`,
  );
  await writeFile(
    path,
    inputs
      .map((input) => (isEventProblem(input) ? input.text : JSON.stringify(input.value)) + '\n')
      .join(''),
  );
  return path;
}

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new InvalidArgumentError('must be a positive whole number of days');
  return value;
}
