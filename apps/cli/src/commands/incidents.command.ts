/**
 * `ecslog incidents`, `incidents mute` and `incidents unmute`: their options and help. What they
 * run is in incidents.run.ts, loaded when they run.
 */
import type { Command } from 'commander';
import type { CliIo } from './cli-io';
import type { IncidentsOptions, MuteOptions } from './incidents.run';
import { addTimeRangeOptions } from './query-options';
import { addStoreOptions, STORE_HELP } from './store-options';

/** What `--json` prints, for the help. */
const INCIDENTS_JSON_HELP = `
--json prints one incident per line, as the notifier keeps it: { "id", "key": { "clusterArn",
"clusterName", "group", "kind", "category"? }, "episode", "status": "open" | "resolved", "openedAt",
"lastFailureAt", "resolvedAt"?, "resolution"?, "failedRuns", "first", "last", "detail"? } where
"first" and "last" are failed runs: { "runId", "taskId"?, "at", "category", "summary",
"stoppedReason"?, "stopCode"?, "reason"?, "exitCodes": [{ "container", "exitCode" }], "startedBy"?,
"account", "region" }.`;

/**
 * Adds `ecslog incidents`: the incidents the notifier opened (failures grouped by cluster,
 * service or family and category; crash loops; services running fewer tasks than desired;
 * missed scheduled runs), and `ecslog incidents mute|unmute <group>`.
 */
export function registerIncidentsCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): Command {
  const incidents = addStoreOptions(
    addTimeRangeOptions(
      program
        .command('incidents')
        .summary(
          'incidents: failures grouped per service/family and category, crash loops, silence, missed runs',
        )
        .description(
          'The incidents opened or open in the time range (default: the last 7 days), open ones first, newest first: ' +
            'a failure of a service or task family opens one per failure category (later failures count into it), ' +
            'as do a crash loop, a service running fewer tasks than desired (silence) and a scheduled job that did not ' +
            'run (missed run). Each line: when it opened, its status, cluster, service/family, kind, failed runs, the ' +
            'last failure, how long it lasted and how it resolved, and the first failure’s reason. ' +
            '`ecslog incidents mute <group> --for 2h` tells nothing about a service or family for a while (its ' +
            'incidents are still kept and listed); `unmute` ends that.',
        )
        .option('--open', 'only the incidents open now')
        .option('--cluster <name>', 'only this cluster (name or ARN)')
        .option('--json', 'print one incident per line (JSON) instead of a table')
        .option('--utc', 'show times in UTC (default: local time)'),
      '7d',
    ),
  )
    .addHelpText('after', INCIDENTS_JSON_HELP)
    .addHelpText('after', STORE_HELP)
    .action(async (options: IncidentsOptions) => {
      const { runIncidents } = await import('./incidents.run.js');
      setExitCode(await runIncidents(options, io));
    });
  addStoreOptions(
    incidents
      .command('mute')
      .summary('tell nothing about a service or family for a while')
      .description(
        'Tell nothing about a service (service:NAME) or task family (family:NAME) — in one cluster, or in every ' +
          'cluster — for the time given. Its incidents are still kept and listed by `ecslog incidents`; only their ' +
          'messages are not sent while the mute lasts. Muting again replaces the mute.',
      )
      .argument('<group>', 'service:NAME or family:NAME')
      .option('--cluster <name>', 'only in this cluster (name or ARN; default: every cluster)')
      .option('--for <duration>', 'how long: 30m, 2h, 1d (at most 30d)'),
  ).action(async (group: string, _options: MuteOptions, command: Command) => {
    const { runMute } = await import('./incidents.run.js');
    setExitCode(await runMute(group, subcommandOptions(command), io));
  });
  addStoreOptions(
    incidents
      .command('unmute')
      .summary('end a mute')
      .argument('<group>', 'service:NAME or family:NAME')
      .option(
        '--cluster <name>',
        'the cluster the mute was for (name or ARN; default: every cluster)',
      ),
  ).action(async (group: string, _options: MuteOptions, command: Command) => {
    const { runUnmute } = await import('./incidents.run.js');
    setExitCode(await runUnmute(group, subcommandOptions(command), io));
  });
  return incidents;
}

/**
 * A subcommand's options with those its parent took: `incidents` has `--cluster` and the store
 * options too, and Commander gives an option to the first command that knows it, so
 * `incidents mute G --cluster C` leaves `--cluster` with `incidents`. Each is set on one of them.
 */
function subcommandOptions(command: Command): MuteOptions {
  return command.optsWithGlobals<MuteOptions>();
}
