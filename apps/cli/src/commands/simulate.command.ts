import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { simulateDay, simulateEvents, toNdjson } from '@ecslog/simulator';
import { createLineOutput } from '../line-output';
import { parseInstant } from '../query/time-range';
import type { CliIo } from './cli-io';

interface SimulateOptions {
  events?: number;
  seed: number;
  start?: string;
  out?: string;
}

/** Adds `ecslog simulate`: a realistic ECS day (or N events) as EventBridge delivers them. */
export function registerSimulateCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): Command {
  return program
    .command('simulate')
    .summary('print a realistic simulated ECS day as NDJSON events')
    .description(
      'Print a realistic, deterministic day of ECS events (clusters, services with rolling deployments, scheduled jobs, ' +
        'OOM, image pull failures, placement failures, Spot interruptions, health checks) as EventBridge delivers them: ' +
        'with duplicates and out of order. With --events, exactly N events from consecutive days, none after now ' +
        '(the days before now, or from --start). Distinct seeds never share a task ARN.',
    )
    .option('--events <n>', 'exactly this many events (default: one day)', wholeNumber)
    .option('--seed <n>', 'the seed: the same seed gives the same events', wholeNumber, 1)
    .option('--start <time>', 'when the first simulated day begins (default: 24 hours ago)')
    .option('--out <file>', 'write to this file instead of stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  $ ecslog simulate --seed 7 --out day.ndjson\n  $ ecslog simulate | ecslog ingest -',
    )
    .action(async (options: SimulateOptions) => {
      setExitCode(await runSimulate(options, io));
    });
}

export async function runSimulate(options: SimulateOptions, io: CliIo): Promise<number> {
  const now = new Date(io.now()).toISOString();
  let start: string | undefined =
    options.start === undefined ? undefined : parseInstant('--start', options.start);
  let events: Record<string, unknown>[];
  try {
    if (start !== undefined && start > now)
      throw new RangeError(`--start ${start} is in the future: simulated events end by now`);
    if (options.events === undefined) {
      start ??= lastDayStart(io.now());
      events = simulateDay({ seed: options.seed, start }).events;
    } else {
      // Every event between --start (default: as many days before now as it takes) and now.
      events = simulateEvents({ events: options.events, seed: options.seed, start, end: now });
      start ??= firstEventTime(events) ?? now;
    }
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    io.stderr.write(`ecslog: ${error.message}\n`);
    return 1;
  }
  if (options.out !== undefined) await writeFile(options.out, toNdjson(events));
  else {
    const out = createLineOutput(io.stdout);
    for (const event of events) {
      if (out.closed) break;
      await out.writeLine(JSON.stringify(event));
    }
  }
  io.stderr.write(
    `simulated ${events.length} events from ${start} (seed ${options.seed})${options.out ? ` into ${options.out}` : ''}\n`,
  );
  return 0;
}

/** The earliest envelope time of the events (delivery order is not time order). */
function firstEventTime(events: readonly Record<string, unknown>[]): string | undefined {
  let first: string | undefined;
  for (const event of events) {
    const time = event['time'];
    if (typeof time === 'string' && (first === undefined || time < first)) first = time;
  }
  return first;
}

/** The 24 hours before now, from a whole minute: local mode's simulated day. */
export function lastDayStart(now: number): string {
  return new Date(Math.floor(now / 60_000) * 60_000 - 86_400_000).toISOString();
}

function wholeNumber(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new InvalidArgumentError('must be a whole number');
  return value;
}
