/**
 * What `ecslog incidents`, `incidents mute` and `incidents unmute` run (their options are in
 * incidents.command.ts): the incidents the notifier keeps, read and muted through its own code.
 */
import type { StoreOptions } from '@ecslog/store-connection';
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
import { checkNotEmpty, counted, describeRange, withStore } from './query-support';

export interface IncidentsOptions extends StoreOptions, OutputOptions, TimeRangeOptions {
  open?: boolean;
  cluster?: string;
}

export interface MuteOptions extends StoreOptions {
  cluster?: string;
  for?: string;
}

/** The longest mute: a mute is for a while, not for ever. */
const MAX_MUTE_MS = 30 * 86_400_000;

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
