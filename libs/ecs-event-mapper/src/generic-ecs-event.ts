import type { AuditRecord, Outcome } from './audit-record';
import { createAuditRecord, MAX_KEPT_DETAIL_LENGTH } from './audit-record';
import { classifyReason } from './classify-stop';
import { clusterArnInResourceArn, clusterNameOf, parseArn, resourceStartOf } from './ecs-arn';
import type { EventBridgeEnvelope } from './eventbridge-envelope';
import { isJsonObject } from './field-reader';
import type { Problem } from './map-result';
import { describeProblems } from './map-result';
import { withSummaryLine } from './summary-line';

/**
 * Generic records: an `aws.ecs` event of a detail-type ecslog does not model (ECS adds them
 * without notice), or of a newer modelled one whose detail could not be read, is kept as an
 * `ecs-event` record — its kind (the detail-type), resource, time and its detail verbatim — so
 * nothing from ECS is dropped. Everything is read leniently: only the envelope can make it invalid.
 */

/**
 * The generic record of an event. `problems` are why a modelled detail-type's detail could not be
 * read (empty for an unmodelled one): kept in `errorMessage`, so the record says why it is generic.
 */
export function mapGenericEcsEvent(
  envelope: EventBridgeEnvelope,
  detail: unknown,
  problems: readonly Problem[],
): AuditRecord {
  const fields = isJsonObject(detail) ? detail : undefined;
  const resourceArn = resourceArnOf(envelope, fields);
  const cluster = clusterOf(fields, resourceArn);
  const eventName = shortText(fields?.['eventName']);
  const eventType = shortText(fields?.['eventType']);
  const reason = boundedText(fields?.['reason'], MAX_REASON_LENGTH);
  const notRead =
    problems.length > 0 ? `not read as ${envelope.detailType}: ${describeProblems(problems)}` : '';
  const about = [eventName, resourceArn && `on ${resourceArn}`].filter(Boolean).join(' ');
  const summary = [envelope.detailType, about].filter(Boolean).join(': ');
  const failure =
    eventType === 'ERROR' ? ((reason ? classifyReason(reason) : undefined) ?? 'other') : undefined;
  const outcome: Outcome = failure
    ? { status: 'failed', category: failure, summary: reason ? `${summary}: ${reason}` : summary }
    : { status: 'info', summary: reason ? `${summary}: ${reason}` : summary };
  const record = createAuditRecord(
    `ecs-event:${envelope.id}`,
    'ecs-event',
    'eventbridge',
    envelope.time,
    envelope.account,
    envelope.region,
    cluster?.arn ?? '',
    cluster?.name ?? '',
    resourceArn ?? '',
    withSummaryLine(outcome),
  );
  if (eventName !== undefined) record.eventName = eventName;
  if (eventType !== undefined) record.eventType = eventType;
  if (reason !== undefined) record.reason = reason;
  if (notRead) record.errorMessage = notRead;
  keepDetail(record, envelope.detailType, detail);
  return record;
}

/**
 * Sets `detailType` and the detail's JSON text on a record, cut at {@link MAX_KEPT_DETAIL_LENGTH}
 * characters (never inside a surrogate pair) with `detailTruncated` when longer. The input has
 * passed the depth guard, so `JSON.stringify` cannot overflow; `undefined` (no detail) is kept as
 * no detail.
 */
export function keepDetail(record: AuditRecord, detailType: string, detail: unknown): void {
  record.detailType = detailType;
  if (detail === undefined) return;
  const text = JSON.stringify(detail);
  if (text.length <= MAX_KEPT_DETAIL_LENGTH) {
    record.detail = text;
    return;
  }
  let end = MAX_KEPT_DETAIL_LENGTH;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1; // a high surrogate whose pair is cut off
  record.detail = text.slice(0, end);
  record.detailTruncated = true;
}

/** The first ARN in `resources`, else the detail's first `…Arn` field other than its cluster's. */
function resourceArnOf(
  envelope: EventBridgeEnvelope,
  detail: Record<string, unknown> | undefined,
): string | undefined {
  const resources = envelope.event.fields['resources'];
  if (Array.isArray(resources)) for (const value of resources) if (isArn(value)) return value;
  if (detail === undefined) return undefined;
  let clusterArn: string | undefined;
  for (const key in detail) {
    const value = detail[key];
    if (!key.endsWith('Arn') || !isArn(value)) continue;
    if (key !== 'clusterArn') return value;
    clusterArn = value;
  }
  return clusterArn;
}

/**
 * `detail.clusterArn` when it is a cluster ARN, else the cluster an ECS resource ARN names (another
 * service's ARN, `role/a/b`, names no ECS cluster).
 */
function clusterOf(
  detail: Record<string, unknown> | undefined,
  resourceArn: string | undefined,
): { arn: string; name: string } | undefined {
  const fromDetail = detail?.['clusterArn'];
  const arn =
    typeof fromDetail === 'string' && fromDetail.startsWith('arn:') && clusterNameOf(fromDetail)
      ? fromDetail
      : resourceArn !== undefined && parseArn(resourceArn)?.service === 'ecs'
        ? clusterNameOf(resourceArn)
          ? resourceArn
          : clusterArnInResourceArn(resourceArn)
        : undefined;
  const name = arn ? clusterNameOf(arn) : undefined;
  return arn && name ? { arn, name } : undefined;
}

function isArn(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 2048 && resourceStartOf(value) >= 0;
}

/** A reason longer than this stays only in the kept detail: the record stays bounded. */
const MAX_REASON_LENGTH = 4_096;

/** A string of at most `limit` characters, else nothing. */
function boundedText(value: unknown, limit: number): string | undefined {
  return typeof value === 'string' && value !== '' && value.length <= limit ? value : undefined;
}

/** A name or type: at most 256 characters. */
function shortText(value: unknown): string | undefined {
  return boundedText(value, 256);
}
