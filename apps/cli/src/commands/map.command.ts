/**
 * `ecslog map`: its options and help. What it runs is in map.run.ts, loaded when it runs: the
 * mapper and the input readers, nothing of the store.
 */
import type { Writable } from 'node:stream';
import type { Command } from 'commander';

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
      const { runMap } = await import('./map.run.js');
      setExitCode(await runMap(inputs, options, io));
    });
}
