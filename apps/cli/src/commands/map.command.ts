import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import type { MapResult } from '@ecslog/ecs-event-mapper';
import { describeProblems, mapEvent } from '@ecslog/ecs-event-mapper';
import type { EventInput } from '../event-inputs';
import { isEventProblem } from '../event-inputs';
import { createLineOutput } from '../line-output';
import { createQuarantineFile } from '../quarantine-file';
import { visibleText } from '../output/visible-text';
import { isUnreadable, readEventInputs } from '../read-input-files';

/** What `ecslog map` talks to; main.ts passes the process's, tests pass their own. */
export interface MapIo {
  stdout: Writable;
  stderr: Writable;
  /** Standard input as it arrives, or all of it at once (only called for `-` or no operand). */
  readStdin: () => AsyncIterable<Uint8Array> | Promise<Uint8Array>;
}

export interface MapOptions {
  /**
   * Append each invalid input to this file as NDJSON `{ position, problems, input }`, plus
   * `inputEncoding` (`utf8`, `base64`) when `input` is the raw text or bytes, not a JSON value.
   */
  invalidOut?: string;
}

/** Exit codes: 1 wins over 2, because an unread file may hide anything. */
export const EXIT_OK = 0;
export const EXIT_UNREADABLE = 1;
export const EXIT_INVALID = 2;

const HELP_AFTER = `
Inputs may be EventBridge events, CloudTrail records, CloudTrail log files ({"Records": [...]},
gzipped or not), LookupEvents responses ({"Events": [...]}), JSON arrays of these, or NDJSON.
Directories are searched recursively for *.json, *.json.gz, *.ndjson, *.jsonl and *.gz files.
Files are read line by line: a JSON document or a line may be up to 128 MiB, a gzipped input up
to 1 GiB decompressed. A line that is not JSON, not UTF-8 or nested deeper than 64 levels is
invalid on its own.

Each AuditRecord is written to stdout as one JSON line. Ignored and invalid inputs are reported
on stderr, one line each, followed by a summary line.

Exit status: 0 every input was mapped or ignored; 2 some input was invalid;
             1 some file could not be read (takes precedence over 2).

Examples:
  $ ecslog map libs/ecs-event-mapper/tests/events
  $ aws cloudtrail lookup-events --output json | ecslog map -
  $ ecslog map --invalid-out invalid.ndjson events.ndjson > records.ndjson`;

/** Adds `ecslog map` to the program; the exit code is handed to `setExitCode`. */
export function registerMapCommand(
  program: Command,
  io: MapIo,
  setExitCode: (code: number) => void,
): Command {
  return program
    .command('map')
    .summary('map ECS events and CloudTrail records to AuditRecords (NDJSON on stdout)')
    .description(
      'Map ECS events and CloudTrail records to AuditRecords, one JSON line each on stdout.',
    )
    .argument('[inputs...]', 'files, directories, or - for stdin (the default)')
    .option(
      '--invalid-out <file>',
      'append each invalid input to FILE as NDJSON {position, problems, input}',
    )
    .addHelpText('after', HELP_AFTER)
    .action(async (inputs: string[], options: MapOptions) => {
      setExitCode(await runMap(inputs, options, io));
    });
}

interface MapTally {
  events: number;
  records: number;
  ignored: number;
  invalid: number;
  unreadable: number;
}

/** Maps every input, writes records to stdout and reports the rest on stderr; returns the exit code. */
export async function runMap(
  operands: readonly string[],
  options: MapOptions,
  io: MapIo,
): Promise<number> {
  const stdout = createLineOutput(io.stdout);
  // Report lines quote event text (reasons, positions, paths): shown escaped.
  const report = (line: string) => {
    io.stderr.write(`${visibleText(line)}\n`);
  };
  const quarantine =
    options.invalidOut === undefined ? undefined : createQuarantineFile(options.invalidOut, report);
  const tally: MapTally = { events: 0, records: 0, ignored: 0, invalid: 0, unreadable: 0 };

  try {
    for await (const input of readEventInputs(operands, io)) {
      if (stdout.closed) break;
      if (isUnreadable(input)) {
        tally.unreadable += 1;
        report(`ecslog: cannot read ${input.source}: ${input.reason}`);
        continue;
      }
      const result = mapInput(input);
      if (result.kind === 'mapped') {
        tally.events += 1;
        tally.records += result.records.length;
        for (const record of result.records) await stdout.writeLine(JSON.stringify(record));
      } else if (result.kind === 'ignored') {
        tally.ignored += 1;
        report(`${input.position}: ignored: ${result.reason}`);
      } else {
        tally.invalid += 1;
        report(`${input.position}: invalid: ${describeProblems(result.problems)}`);
        await quarantine?.append({
          position: input.position,
          problems: result.problems,
          input: result.input,
          ...(isEventProblem(input) ? { inputEncoding: input.encoding ?? 'utf8' } : {}),
        });
      }
    }
  } finally {
    await quarantine?.close();
  }

  const writeFailure = stdout.failure;
  if (writeFailure) report(`ecslog: cannot write to stdout: ${writeFailure.message}`);
  // The reader closed the pipe (`| head`): it has what it wanted, so no summary and no error.
  else if (!stdout.closed) report(summarise(tally));

  if (tally.unreadable > 0 || writeFailure || quarantine?.failure !== undefined) {
    return EXIT_UNREADABLE;
  }
  return tally.invalid > 0 ? EXIT_INVALID : EXIT_OK;
}

/** Text that is not JSON is invalid like any other input, and keeps its original text. */
function mapInput(input: EventInput): MapResult {
  return isEventProblem(input)
    ? { kind: 'invalid', problems: [{ path: '', message: input.problem }], input: input.text }
    : mapEvent(input.value);
}

function summarise({ events, records, ignored, invalid, unreadable }: MapTally): string {
  const summary = `mapped ${events} events into ${records} records; ${ignored} ignored; ${invalid} invalid`;
  return unreadable > 0 ? `${summary}; ${unreadable} unreadable files` : summary;
}
