/**
 * `ecslog events`: its options and help. What it runs is in events.run.ts (a service's events)
 * and other-events.ts (`--other`, `--kind`), loaded when it runs.
 */
import type { Command } from 'commander';
import type { CliIo } from './cli-io';
import { addQueryOptions, addTimeRangeOptions } from './query-options';
import type { EventsOptions } from './events.run';
import type { OtherEventsOptions } from './other-events';

/**
 * Adds `ecslog events --service S`: a service's actions, deployments and API calls; and
 * `ecslog events --other [--kind K]`: the ECS events beyond the classic detail-types.
 */
export function registerEventsCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): Command {
  return addQueryOptions(
    addTimeRangeOptions(
      program
        .command('events')
        .summary("a service's actions and deployments, or the other ECS events")
        .description(
          "A service's service actions (steady state, placement failures, unhealthy tasks), deployments and " +
            'the API calls that changed it, oldest first, in the time range (default: the last 7 days); then its ' +
            'digest drift: within one deployment, an image reference whose tasks ran different digests (a mutable ' +
            'tag re-pushed mid-deployment), with each digest, its tasks and when it was first seen. --json prints ' +
            'the records only. With --other (or --kind <detail-type>) instead: the ECS events beyond the classic ' +
            'detail-types — container instance health changes, daemon events, and events of detail-types ecslog ' +
            'does not model, kept with their detail — of every cluster, oldest first.',
        )
        .option('--service <name>', 'the service')
        .option(
          '--other',
          'instead of a service: the ECS events beyond the classic detail-types (container instance health, daemons, and kinds ecslog does not model, kept with their detail)',
        )
        .option('--kind <detail-type>', 'with --other: only this detail-type (implies --other)')
        .option('--cluster <name>', 'only this cluster (name or ARN)'),
      '7d',
    ),
  ).action(async (options: EventsOptions & OtherEventsOptions, command: Command) => {
    if (asksForOtherEvents(options)) {
      if (options.service !== undefined)
        command.error('error: --service and --other/--kind list different events: give one');
      const { runOtherEvents } = await import('./other-events.js');
      setExitCode(await runOtherEvents(options, io));
    } else if (options.service === undefined) {
      command.error("error: required option '--service <name>' not specified (or --other, --kind)");
    } else {
      const { runEvents } = await import('./events.run.js');
      setExitCode(await runEvents(options, io));
    }
  });
}

/** True when the options ask for the other events (`--other`, or `--kind`). */
export function asksForOtherEvents(options: { other?: boolean; kind?: string }): boolean {
  return options.other === true || options.kind !== undefined;
}
