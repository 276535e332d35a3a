import type { StoreOptions } from '@ecslog/store-connection';
import type { Command } from 'commander';
import { isCluster } from '@ecslog/audit-store';
import type { Incident, Mute } from '@ecslog/incidents';
import { createIncidentReader, createMuteStore, InvalidMuteError } from '@ecslog/notifier';
import { createLineOutput } from '../line-output';
import { renderTable } from '../output/text-table';
import type { TimeStyle } from '../output/time-format';
import { formatDuration, formatTime, zoneName } from '../output/time-format';
import { visibleText } from '../output/visible-text';
import type { TimeRangeOptions } from '../query/time-range';
import { timeRangeOf } from '../query/time-range';
import type { CliIo, OutputOptions } from './cli-io';
import { QueryError } from './cli-io';
import {
  addTimeRangeOptions,
  checkNotEmpty,
  counted,
  describeRange,
  withStore,
} from './query-support';
import { addStoreOptions, STORE_HELP } from './store-options';

interface IncidentsOptions extends StoreOptions, OutputOptions, TimeRangeOptions {
  open?: boolean;
  cluster?: string;
}

interface MuteOptions extends StoreOptions {
  cluster?: string;
  for?: string;
}

/** What `--json` prints, for the help. */
const INCIDENTS_JSON_HELP = `
--json prints one incident per line, as the notifier keeps it: { "id", "key": { "clusterArn",
"clusterName", "group", "kind", "category"? }, "episode", "status": "open" | "resolved", "openedAt",
"lastFailureAt", "resolvedAt"?, "resolution"?, "failedRuns", "first", "last", "detail"? } where
"first" and "last" are failed runs: { "runId", "taskId"?, "at", "category", "summary",
"stoppedReason"?, "stopCode"?, "reason"?, "exitCodes": [{ "container", "exitCode" }], "startedBy"?,
"account", "region" }.`;

/** The longest mute: a mute is for a while, not for ever. */
const MAX_MUTE_MS = 30 * 86_400_000;

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

export async function runIncidents(options: IncidentsOptions, io: CliIo): Promise<number> {
  const range = timeRangeOf(options, '7d', io.now());
  const { incidents, mutes } = await withStore(io, options, async (store) => {
    const reader = createIncidentReader({
      client: store.client,
      tableName: store.tableName,
      now: io.now,
    });
    const [listed, mutes] = await Promise.all([
      reader.listIncidents({
        ...(options.open ? { open: true } : {}),
        since: range.from,
        to: range.to,
      }),
      reader.listMutes(),
    ]);
    if (listed.length === 0) await checkNotEmpty(store);
    return { incidents: listed, mutes };
  });
  const cluster = options.cluster;
  const shown = orderedIncidents(
    cluster === undefined
      ? incidents
      : incidents.filter((incident) => isCluster(incident.key.clusterArn, cluster)),
  );
  const out = createLineOutput(io.stdout);
  const style = { utc: options.utc ?? false, now: io.now() };
  if (options.json) {
    for (const incident of shown) {
      if (out.closed) break;
      await out.writeLine(JSON.stringify(incident));
    }
  } else if (shown.length > 0) await out.writeLine(renderIncidents(shown, style).trimEnd());
  const open = shown.filter((incident) => incident.status === 'open').length;
  const muted =
    mutes.length === 0
      ? ''
      : `; muted: ${mutes.map((mute) => visibleText(describeMute(mute, style))).join(', ')}`;
  io.stderr.write(
    `${
      options.open
        ? `${counted(shown.length, 'incident')} open now`
        : `${counted(shown.length, 'incident')} (${open} open) opened or open ${describeRange(range, style)}`
    }${muted}\n`,
  );
  return 0;
}

/** Open incidents first, then resolved ones; newest opened first within each. */
export function orderedIncidents(incidents: readonly Incident[]): Incident[] {
  return [...incidents].sort(
    (a, b) =>
      Number(b.status === 'open') - Number(a.status === 'open') ||
      (a.openedAt < b.openedAt ? 1 : a.openedAt > b.openedAt ? -1 : 0) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** How the table shows times; `now` (epoch ms) is what an open incident's duration runs up to. */
export interface IncidentsStyle extends TimeStyle {
  now: number;
}

/** The human table of `ecslog incidents`. Cells are escaped by the table (stop reasons are anyone's). */
export function renderIncidents(incidents: readonly Incident[], style: IncidentsStyle): string {
  return renderTable(
    [
      `OPENED (${zoneName(style)})`,
      'STATUS',
      'CLUSTER',
      'SERVICE/FAMILY',
      'KIND',
      'FAILED RUNS',
      'LAST FAILURE',
      'DURATION',
      'REASON',
    ],
    incidents.map((incident) => [
      formatTime(incident.openedAt, style),
      incident.status,
      incident.key.clusterName,
      incident.key.group,
      kindText(incident),
      String(incident.failedRuns),
      formatTime(incident.lastFailureAt, style),
      durationText(incident, style.now),
      reasonText(incident),
    ]),
  );
}

/** `failure: out-of-memory`, `crash-loop`, `silence`, `missed-run`. */
export function kindText(incident: Incident): string {
  return incident.key.category
    ? `${incident.key.kind}: ${incident.key.category}`
    : incident.key.kind;
}

/** `1h02m (steady-state)` for a resolved incident, `open 25m` for an open one. */
export function durationText(incident: Incident, now: number): string {
  const opened = Date.parse(incident.openedAt);
  if (incident.status === 'open') return `open ${formatDuration(Math.max(0, now - opened))}`;
  const lasted =
    incident.resolvedAt === undefined
      ? '-'
      : formatDuration(Date.parse(incident.resolvedAt) - opened);
  return incident.resolution ? `${lasted} (${incident.resolution})` : lasted;
}

/**
 * What went wrong: the detail of a silence or missed run, else the first failure's classified
 * reason with its verbatim stop (or placement) reason when that says more.
 */
export function reasonText(incident: Incident): string {
  const { first } = incident;
  const verbatim = first.stoppedReason ?? first.reason;
  const reason =
    verbatim !== undefined && !first.summary.includes(verbatim)
      ? `${first.summary}: "${verbatim}"`
      : first.summary;
  return incident.detail !== undefined ? `${incident.detail} (${reason})` : reason;
}

function describeMute(mute: Mute, style: TimeStyle): string {
  return `${mute.group}${mute.clusterArn ? ` in ${clusterNameOf(mute.clusterArn)}` : ''} until ${formatTime(mute.until, style)}`;
}

function clusterNameOf(clusterArn: string): string {
  return clusterArn.slice(clusterArn.indexOf(':cluster/') + ':cluster/'.length) || clusterArn;
}

export async function runMute(group: string, options: MuteOptions, io: CliIo): Promise<number> {
  checkGroup(group);
  if (options.for === undefined)
    throw new QueryError('mute needs --for <duration>: how long, such as 30m, 2h or 1d');
  const forMs = muteDurationMs(options.for);
  const until = new Date(io.now() + forMs).toISOString();
  const style = { utc: false };
  await withStore(io, options, async (store) => {
    const clusterArn = await clusterArnOf(store, options.cluster, io);
    const mutes = createMuteStore({
      client: store.client,
      tableName: store.tableName,
      now: io.now,
    });
    const mute: Mute = { group, ...(clusterArn !== undefined && { clusterArn }), until };
    try {
      await mutes.muteGroup(mute);
    } catch (error) {
      if (error instanceof InvalidMuteError) throw new QueryError(error.message);
      throw error;
    }
    io.stderr.write(
      `muted ${visibleText(describeMute(mute, style))} (${zoneName(style)}): its incidents are kept, nothing about them is sent\n`,
    );
  });
  return 0;
}

export async function runUnmute(group: string, options: MuteOptions, io: CliIo): Promise<number> {
  checkGroup(group);
  await withStore(io, options, async (store) => {
    const clusterArn = await clusterArnOf(store, options.cluster, io);
    const mutes = createMuteStore({
      client: store.client,
      tableName: store.tableName,
      now: io.now,
    });
    const before = await mutes.listMutes();
    const found = before.some(
      (mute) => mute.group === group && (mute.clusterArn ?? undefined) === clusterArn,
    );
    if (!found)
      throw new QueryError(
        `${group}${options.cluster !== undefined ? ` in ${options.cluster}` : ' (every cluster)'} is not muted`,
      );
    await mutes.unmuteGroup({ group, ...(clusterArn !== undefined && { clusterArn }) });
    io.stderr.write(
      `unmuted ${visibleText(group)}${options.cluster !== undefined ? ` in ${visibleText(options.cluster)}` : ''}\n`,
    );
  });
  return 0;
}

/** A group as ECS names it: `service:NAME` or `family:NAME`. */
function checkGroup(group: string): void {
  if (!/^(?:service|family):[^\s]+$/.test(group))
    throw new QueryError(
      `the group must be service:NAME or family:NAME (as ECS names a task's group), got "${group}"`,
    );
}

/** `30m`, `2h`, `1d` → ms, at most {@link MAX_MUTE_MS}. */
export function muteDurationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([mhdw])$/i.exec(text.trim());
  const unit = match?.[2]?.toLowerCase();
  const amount = Number(match?.[1]);
  const ms =
    unit === undefined
      ? Number.NaN
      : amount * { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 }[unit as 'm'];
  if (!match || !(ms > 0))
    throw new QueryError(`--for must be a positive duration such as 30m, 2h or 1d, got "${text}"`);
  if (ms > MAX_MUTE_MS) throw new QueryError(`--for is at most 30d, got "${text}"`);
  return ms;
}

/**
 * The cluster ARN of `--cluster`: an ARN as given; a name, from the incidents kept (the one
 * cluster of that name they name), since a mute is for one cluster of one account and region.
 */
async function clusterArnOf(
  store: { client: Parameters<typeof createIncidentReader>[0]['client']; tableName: string },
  cluster: string | undefined,
  io: CliIo,
): Promise<string | undefined> {
  if (cluster === undefined) return undefined;
  if (/^arn:[^:]+:ecs:[^:]+:\d{12}:cluster\/.+$/.test(cluster)) return cluster;
  if (cluster.startsWith('arn:'))
    throw new QueryError(`--cluster must be a cluster name or a cluster ARN, got "${cluster}"`);
  const reader = createIncidentReader({
    client: store.client,
    tableName: store.tableName,
    now: io.now,
  });
  const arns = new Set(
    (await reader.listIncidents({}))
      .filter((incident) => incident.key.clusterName === cluster)
      .map((incident) => incident.key.clusterArn),
  );
  if (arns.size === 1) return [...arns][0];
  if (arns.size === 0)
    throw new QueryError(
      `no incident names a cluster "${cluster}": give its ARN (arn:aws:ecs:REGION:ACCOUNT:cluster/${cluster})`,
    );
  throw new QueryError(
    `clusters of ${arns.size} accounts or regions are named "${cluster}": give the ARN of one (${[...arns].join(', ')})`,
  );
}
