/**
 * What `ecslog map` runs (its options are in map.command.ts): every input through the mapper,
 * records on stdout, the rest reported on stderr.
 */
import type { MapResult } from '@ecslog/ecs-event-mapper';
import { describeProblems, mapEvent } from '@ecslog/ecs-event-mapper';
import type { EventInput } from '../event-inputs';
import { isEventProblem } from '../event-inputs';
import { createLineOutput } from '../line-output';
import { createQuarantineFile } from '../quarantine-file';
import { visibleText } from '../output/visible-text';
import { isUnreadable, readEventInputs } from '../read-input-files';
import type { MapIo, MapOptions } from './map.command';

/** Exit codes: 1 wins over 2, because an unread file may hide anything. */
export const EXIT_OK = 0;
export const EXIT_UNREADABLE = 1;
export const EXIT_INVALID = 2;

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
