import type { StoreOptions } from '@ecslog/store-connection';
import type { Command } from 'commander';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { isCluster } from '@ecslog/audit-store';
import type { DigestDrift, TaskRun } from '@ecslog/task-runs';
import type { TimeRange } from '@ecslog/audit-store';
import type { AuditStoreConnection } from '@ecslog/store-connection';
import { digestDrift } from '@ecslog/task-runs';
import { createLineOutput } from '../line-output';
import { renderTable } from '../output/text-table';
import { visibleText } from '../output/visible-text';
import type { TimeStyle } from '../output/time-format';
import { formatTime, zoneName } from '../output/time-format';
import type { TimeRangeOptions } from '../query/time-range';
import { timeRangeOf } from '../query/time-range';
import type { CliIo, OutputOptions } from './cli-io';
import { writeRecords } from './cli-io';
import {
  addQueryOptions,
  addTimeRangeOptions,
  counted,
  describeRange,
  checkNotEmpty,
  withStore,
} from './query-support';
import type { OtherEventsOptions } from './other-events';
import { asksForOtherEvents, runOtherEvents } from './other-events';
import { outcomeText } from './tasks.command';

interface EventsOptions extends StoreOptions, OutputOptions, TimeRangeOptions {
  service: string;
  cluster?: string;
}

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
      setExitCode(await runOtherEvents(options, io));
    } else if (options.service === undefined) {
      command.error("error: required option '--service <name>' not specified (or --other, --kind)");
    } else setExitCode(await runEvents(options, io));
  });
}

export async function runEvents(options: EventsOptions, io: CliIo): Promise<number> {
  const range = timeRangeOf(options, '7d', io.now());
  const { records, drifts } = await withStore(io, options, async (store) => {
    const all = await store.reader.serviceEvents(options.service, range);
    const cluster = options.cluster;
    const runs = options.json
      ? []
      : await serviceRuns(store.reader, options.service, range, all, cluster);
    if (all.length === 0 && runs.length === 0) await checkNotEmpty(store);
    return {
      records: cluster === undefined ? all : all.filter((r) => isCluster(r.clusterArn, cluster)),
      drifts: digestDrift(runs),
    };
  });
  const out = createLineOutput(io.stdout);
  const style = { utc: options.utc ?? false };
  if (options.json) await writeRecords(out, records);
  else {
    if (records.length > 0) await out.writeLine(renderServiceEvents(records, style).trimEnd());
    if (drifts.length > 0) {
      if (records.length > 0) await out.writeLine('');
      await out.writeLine(renderDigestDrift(drifts, style).trimEnd());
    }
  }
  const drifted =
    drifts.length === 0
      ? ''
      : `; digest drift: ${counted(drifts.length, 'image reference')} ran as more than one digest within a deployment`;
  io.stderr.write(
    `${counted(records.length, 'event')} of service ${visibleText(options.service)} ${describeRange(range, style)}${drifted}\n`,
  );
  return 0;
}

/**
 * The service's runs in the range, for the digests its deployments ran: read per cluster (the
 * one asked for, else each cluster its events name), as a cluster and group bound the run
 * index's reads to the service's own runs; without events to name one, in every cluster.
 */
async function serviceRuns(
  reader: AuditStoreConnection['reader'],
  service: string,
  range: TimeRange,
  events: readonly AuditRecord[],
  cluster: string | undefined,
): Promise<TaskRun[]> {
  const group = `service:${service}`;
  const clusters =
    cluster !== undefined
      ? [cluster]
      : [
          ...new Set(
            events.map((record) => record.clusterArn).filter((arn) => arn.includes(':cluster/')),
          ),
        ];
  if (clusters.length === 0) return (await reader.runsDuring(range, { group })).runs;
  const reads = await Promise.all(
    clusters.map((clusterArn) => reader.runsDuring(range, { cluster: clusterArn, group })),
  );
  return reads.flatMap((read) => read.runs);
}

/**
 * The digest drift of a service's deployments: one row per digest of each drifted image
 * reference, the first seen first, with the tasks that ran it.
 */
export function renderDigestDrift(drifts: readonly DigestDrift[], style: TimeStyle): string {
  const rows = drifts.flatMap((drift) =>
    drift.digests.map((entry, index) => [
      index === 0 ? drift.deployment : '',
      index === 0 ? drift.clusterName : '',
      index === 0 ? drift.image : '',
      entry.digest,
      formatTime(entry.firstSeen, style),
      `${entry.taskIds.length}: ${entry.taskIds.join(', ')}`,
    ]),
  );
  return [
    'Digest drift (within one deployment, an image reference ran as more than one digest):',
    renderTable(
      ['DEPLOYMENT', 'CLUSTER', 'IMAGE', 'DIGEST', `FIRST SEEN (${zoneName(style)})`, 'TASKS'],
      rows,
    ),
  ].join('\n');
}

export function renderServiceEvents(records: readonly AuditRecord[], style: TimeStyle): string {
  return renderTable(
    [`TIME (${zoneName(style)})`, 'CLUSTER', 'TYPE', 'EVENT', 'OUTCOME', 'SUMMARY'],
    records.map((r) => [
      formatTime(r.eventTime, style),
      r.clusterName,
      r.recordType,
      r.eventName ?? '-',
      outcomeText(r.outcome),
      r.outcome.summary,
    ]),
  );
}
