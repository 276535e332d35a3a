/**
 * `ecslog tasks`: its options and help. What it runs is in tasks.run.ts, loaded when it runs, so
 * that `ecslog --help` and the other commands do not load the store and its SDK.
 */
import type { Command } from 'commander';
import { OUTCOME_FILTER_NAMES } from './help-lists';
import type { CliIo } from './cli-io';
import { addQueryOptions, addTimeRangeOptions } from './query-options';
import type { TasksOptions } from './tasks.run';

/** Adds `ecslog tasks`: one line per task run active in a time range, at an instant, or now. */
export function registerTasksCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): Command {
  return addQueryOptions(
    addTimeRangeOptions(
      program
        .command('tasks')
        .summary('list task runs active in a range, at an instant or now: start, end, outcome')
        .description(
          'List the task runs active at any moment of the time range (default: the last 24 hours), including runs ' +
            'with no state change inside it (a task started 10 days ago and still running is in --since 1h), ' +
            'one line each, oldest start first. --at lists the runs active at one instant, --running the runs open now. ' +
            'END says how each run ended: running, stopped at its end, never started (RunTask placement failures, ' +
            'STATUS NOT STARTED), end not recorded (known only by the call that started it), or closed without its ' +
            'STOPPED state change. --ip, --image and --instance (one of them) list the runs that held an address, ' +
            'ran an image or ran on a host in the range (or at --at, or now with --running), with a column saying ' +
            'what matched: ADDRESS, DIGEST (the digests the image ran as) or HOST.',
        )
        .option('--at <time>', 'the runs active at this instant (ISO-8601; zone-less is UTC)')
        .option('--running', 'the runs open now (no end recorded yet)')
        .option(
          '--ip <address>',
          "the runs of the task that held this IPv4 or IPv6 address (its ENI's)",
        )
        .option(
          '--image <image>',
          'the runs of this image: a digest (sha256:…), repository[:tag] or repository@sha256:…',
        )
        .option(
          '--instance <instance>',
          'the runs on this host: an EC2 instance id (i-…), a container instance ARN or its id',
        )
        .option('--cluster <name>', 'only this cluster (name or ARN)')
        .option('--service <name>', "only this service's tasks")
        .option('--family <name>', 'only tasks of this task definition family')
        .option(
          '--status <status>',
          `only runs with this outcome (${OUTCOME_FILTER_NAMES.join(', ')}) or last status (RUNNING, STOPPED…)`,
        ),
      '24h',
    ),
  ).action(async (options: TasksOptions) => {
    const { runTasks } = await import('./tasks.run.js');
    setExitCode(await runTasks(options, io));
  });
}
