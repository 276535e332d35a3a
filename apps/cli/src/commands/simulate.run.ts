/**
 * What `ecslog simulate` runs (its options are in simulate.command.ts): the simulator's events,
 * as NDJSON.
 */
import { writeFile } from 'node:fs/promises';
import { simulateDay, simulateEvents, toNdjson } from '@ecslog/simulator';
import { createLineOutput } from '../line-output';
import { parseInstant } from '../query/time-range';
import type { CliIo } from './cli-io';
import type { SimulateOptions } from './simulate.command';

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
