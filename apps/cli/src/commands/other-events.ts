/**
 * `ecslog events --other` / `--kind <detail-type>`: the ECS events beyond the classic detail-types
 * — container instance health changes, daemon service actions and deployments, and generic
 * records of detail-types ecslog does not model (kept with their detail) — read from the store's
 * events index, one Query per day of the range. Its options are in events.command.ts, which loads
 * this when it runs.
 */
import type { StoreOptions } from '@ecslog/store-connection';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { isCluster } from '@ecslog/audit-store';
import { createLineOutput } from '../line-output';
import { renderTable } from '../output/text-table';
import { visibleText } from '../output/visible-text';
import type { TimeStyle } from '../output/time-format';
import { formatTime, zoneName } from '../output/time-format';
import type { TimeRangeOptions } from '../query/time-range';
import { timeRangeOf } from '../query/time-range';
import type { CliIo, OutputOptions } from './cli-io';
import { writeRecords } from './cli-io';
import { checkNotEmpty, counted, describeRange, withStore } from './query-support';
import { outcomeText } from './tasks.run';

export interface OtherEventsOptions extends StoreOptions, OutputOptions, TimeRangeOptions {
  other?: boolean;
  /** Only this detail-type (case-insensitive). */
  kind?: string;
  cluster?: string;
}

/** The records of `--kind` (any detail-type when absent) and `--cluster`, in their order. */
export function selectOtherEvents(
  records: readonly AuditRecord[],
  options: { kind?: string; cluster?: string },
): AuditRecord[] {
  const kind = options.kind?.trim().toLowerCase();
  const cluster = options.cluster;
  return records.filter(
    (record) =>
      (kind === undefined || record.detailType?.toLowerCase() === kind) &&
      (cluster === undefined || isCluster(record.clusterArn, cluster)),
  );
}

export async function runOtherEvents(options: OtherEventsOptions, io: CliIo): Promise<number> {
  const range = timeRangeOf(options, '7d', io.now());
  const records = await withStore(io, options, async (store) => {
    const all = await store.reader.otherEvents(range);
    if (all.length === 0) await checkNotEmpty(store);
    return selectOtherEvents(all, options);
  });
  const out = createLineOutput(io.stdout);
  const style = { utc: options.utc ?? false };
  if (options.json) await writeRecords(out, records);
  else if (records.length > 0) await out.writeLine(renderOtherEvents(records, style).trimEnd());
  const what =
    options.kind === undefined ? 'other ECS event' : `${visibleText(options.kind)} event`;
  io.stderr.write(
    `${counted(records.length, what)}${kindsOf(records, options.kind)} ${describeRange(range, style)}\n`,
  );
  return 0;
}

/** One row per event: when, where, its kind (detail-type), what it is about, outcome, summary. */
export function renderOtherEvents(records: readonly AuditRecord[], style: TimeStyle): string {
  return renderTable(
    [`TIME (${zoneName(style)})`, 'CLUSTER', 'KIND', 'RESOURCE', 'OUTCOME', 'SUMMARY'],
    records.map((r) => [
      formatTime(r.eventTime, style),
      r.clusterName || '-',
      `${r.detailType ?? r.recordType}${r.detailTruncated ? ' (detail cut)' : ''}`,
      resourceOf(r.resourceArn),
      outcomeText(r.outcome),
      r.outcome.summary,
    ]),
  );
}

/** `container-instance/batch/5c0e…` out of an ARN (after its fifth colon): what it is about. */
function resourceOf(arn: string): string {
  if (arn === '') return '-';
  const parts = arn.split(':');
  return parts.length >= 6 ? parts.slice(5).join(':') : arn;
}

/** `; kinds: A 3, B 1` when listing every kind and there is more than one. */
function kindsOf(records: readonly AuditRecord[], kind: string | undefined): string {
  if (kind !== undefined) return '';
  const counts = new Map<string, number>();
  for (const record of records) {
    const name = record.detailType ?? record.recordType;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  if (counts.size < 2) return '';
  const list = [...counts].map(([name, n]) => `${visibleText(name)} ${n}`).join(', ');
  return ` (${list})`;
}
