/**
 * What `ecslog events --service S` runs (its options are in events.command.ts): the service's
 * events, then its digest drift.
 */
import type { StoreOptions } from '@ecslog/store-connection';
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
import { counted, describeRange, checkNotEmpty, withStore } from './query-support';
import { outcomeText } from './tasks.run';

export interface EventsOptions extends StoreOptions, OutputOptions, TimeRangeOptions {
  service: string;
  cluster?: string;
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
