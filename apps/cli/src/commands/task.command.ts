/**
 * `ecslog task`: its options and help. What it runs is in task.run.ts, loaded when it runs.
 */
import type { Command } from 'commander';
import type { CliIo } from './cli-io';
import { addQueryOptions } from './query-options';
import type { TaskOptions } from './task.run';

/** Adds `ecslog task <taskArn|taskId>`: one task's whole timeline. */
export function registerTaskCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): Command {
  return addQueryOptions(
    program
      .command('task')
      .summary("show a task's timeline: state changes, containers, durations, why it stopped")
      .description(
        "Show a task's whole timeline: each state change, the API calls about it (who started or stopped it), " +
          'its containers with exit codes and reasons, pull / pending / run durations, how its run ended ' +
          '(running, stopped, end not recorded, closed) and the stop summary; and who ran what, where: each ' +
          "container's image, digest, runtime id and addresses, the task's platform version, ENI (addresses, subnet, " +
          'MAC, DNS name), container instance and its EC2 instance, the deployment and the call that started it. ' +
          '--json prints its records in version order, each with the task\'s provenance under "provenance".',
      )
      .argument('<task>', 'the task ARN, or its id (the last part of the ARN)'),
  ).action(async (task: string, options: TaskOptions) => {
    const { runTask } = await import('./task.run.js');
    setExitCode(await runTask(task, options, io));
  });
}

// The web view reads a task's EC2 instance as `ecslog task` does (web-server.ts imports it here).
export { ec2InstanceOf } from '../query/task-provenance';
