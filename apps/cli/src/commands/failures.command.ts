/**
 * `ecslog failures`: its options and help. What it runs is in failures.run.ts, loaded when it runs.
 */
import type { Command } from 'commander';
import { FAILURE_CATEGORY_NAMES } from './help-lists';
import type { CliIo } from './cli-io';
import { addQueryOptions, addTimeRangeOptions } from './query-options';
import type { FailuresOptions } from './failures.run';

/** Adds `ecslog failures`: failures grouped by category and service or family. */
export function registerFailuresCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): Command {
  return addQueryOptions(
    addTimeRangeOptions(
      program
        .command('failures')
        .summary('failures grouped by category and service/family')
        .description(
          "Failures whose moment — a failed run's end, a failed action, deployment or API call — is in the time range " +
            '(default: the last 7 days), grouped by category and service or task family: ' +
            'how many tasks (or calls, services) failed, first and last seen, example summaries. ' +
            `Categories: ${FAILURE_CATEGORY_NAMES.join(', ')}.`,
        )
        .option('--category <category>', 'only this failure category')
        .option('--cluster <name>', 'only this cluster (name or ARN)'),
      '7d',
    ),
  ).action(async (options: FailuresOptions) => {
    const { runFailures } = await import('./failures.run.js');
    setExitCode(await runFailures(options, io));
  });
}
