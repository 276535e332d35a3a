/**
 * `ecslog simulate`: its options and help. What it runs is in simulate.run.ts, loaded when it
 * runs.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { CliIo } from './cli-io';

export interface SimulateOptions {
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
      const { runSimulate } = await import('./simulate.run.js');
      setExitCode(await runSimulate(options, io));
    });
}

function wholeNumber(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new InvalidArgumentError('must be a whole number');
  return value;
}
