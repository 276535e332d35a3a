import { mapCloudTrailRecord } from './cloudtrail-record';
import {
  mapContainerInstanceStateChange,
  mapDeploymentStateChange,
  mapServiceAction,
  mapTaskStateChange,
} from './ecs-events';
import type { EcsDetailType, EventBridgeEnvelope } from './eventbridge-envelope';
import {
  isEcsDetailType,
  isNewerEcsDetailType,
  MAX_DETAIL_TYPE_LENGTH,
  readEnvelope,
  readEnvelopeHeader,
} from './eventbridge-envelope';
import { keepDetail, mapGenericEcsEvent } from './generic-ecs-event';
import { NEWER_DETAIL_MAPPERS } from './newer-ecs-events';
import type { AuditRecord } from './audit-record';
import type { FieldReader } from './field-reader';
import { describeType, FieldReader as Reader, isJsonObject } from './field-reader';
import type { MapResult, Problem } from './map-result';
import { ignored, invalid, mapped } from './map-result';
import { isNestedDeeperThan, MAX_EVENT_DEPTH, nestedTooDeep } from './json-depth';

/** The EventBridge source of ECS events. */
export const ECS_EVENTBRIDGE_SOURCE = 'aws.ecs';

type DetailMapper = (
  envelope: EventBridgeEnvelope,
  detail: FieldReader,
  problems: Problem[],
) => AuditRecord | undefined;

const STATE_CHANGE_MAPPERS: Record<
  Exclude<EcsDetailType, 'AWS API Call via CloudTrail'>,
  DetailMapper
> = {
  'ECS Task State Change': mapTaskStateChange,
  'ECS Container Instance State Change': mapContainerInstanceStateChange,
  'ECS Service Action': mapServiceAction,
  'ECS Deployment State Change': mapDeploymentStateChange,
};

/**
 * Decides what one input means to the audit log. Never throws.
 *
 * An input nested deeper than {@link MAX_EVENT_DEPTH} levels is invalid before anything reads
 * it: what callers do next with `input` (stringify it, copy it) would overflow the stack.
 *
 * Accepts an EventBridge event from `aws.ecs` of any detail-type (the four classic ones and "AWS API
 * Call via CloudTrail" read strictly; the newer ones ECS documents — container instance health
 * changes, daemon service actions and deployments — and any other as a generic record), a bare CloudTrail record (log files, LookupEvents' `CloudTrailEvent`), or a
 * LookupEvents `Event` whose `CloudTrailEvent` is the record as a JSON string.
 *
 * @example
 * const result = mapEvent(JSON.parse(body));
 * if (result.kind === 'mapped') for (const record of result.records) write(record);
 * else if (result.kind === 'invalid') quarantine(result.input, result.problems);
 */
export function mapEvent(input: unknown): MapResult {
  try {
    return mapUntrusted(input);
  } catch (error) {
    // Defence in depth: mapping is written not to throw; if it ever does, the input is kept.
    const message = error instanceof Error ? error.message : String(error);
    return invalid([{ path: '', message: `could not be mapped: ${message}` }], input);
  }
}

function mapUntrusted(input: unknown): MapResult {
  if (isNestedDeeperThan(input, MAX_EVENT_DEPTH))
    return invalid([{ path: '', message: nestedTooDeep() }], input);
  if (!isJsonObject(input)) {
    return invalid(
      [
        {
          path: '',
          message: `must be a JSON object (an EventBridge event or CloudTrail record), got ${describeType(input)}`,
        },
      ],
      input,
    );
  }
  if ('detail-type' in input || 'detail' in input) return mapEventBridgeEvent(input);
  if ('eventSource' in input || 'eventVersion' in input) return mapBareCloudTrailRecord(input);
  if (typeof input['CloudTrailEvent'] === 'string')
    return mapLookupEventsEvent(input['CloudTrailEvent'], input);
  if (Array.isArray(input['Records'])) {
    return invalid(
      [{ path: 'Records', message: 'is a CloudTrail log file: map each of its Records' }],
      input,
    );
  }
  return invalid(
    [
      {
        path: '',
        message: 'is neither an EventBridge event nor a CloudTrail record',
      },
    ],
    input,
  );
}

function mapEventBridgeEvent(input: Record<string, unknown>): MapResult {
  const problems: Problem[] = [];
  const event = new Reader(input, '', problems);
  const source = event.stringValue(input['source'], 'source');
  if (source !== ECS_EVENTBRIDGE_SOURCE) {
    return source === undefined
      ? invalid([{ path: 'source', message: 'is required' }], input)
      : ignored(`EventBridge source ${source} is not audited`);
  }
  const detailType = event.stringValue(input['detail-type'], 'detail-type');
  if (detailType !== undefined && !isEcsDetailType(detailType))
    return mapNewerEcsEvent(event, detailType, input, problems);
  const envelope = readEnvelope(event);
  if (!envelope.detail || problems.length > 0) return invalid(problems, input);

  if (envelope.detailType === 'AWS API Call via CloudTrail') {
    const result = mapCloudTrailRecord(envelope.detail, problems);
    return settle(result, problems, input);
  }
  const mapper = STATE_CHANGE_MAPPERS[envelope.detailType as keyof typeof STATE_CHANGE_MAPPERS];
  const record = mapper(envelope, envelope.detail, problems);
  return settle(record && mapped([record]), problems, input);
}

/**
 * Any other detail-type of `aws.ecs`: nothing from ECS is dropped. A newer modelled detail-type
 * whose detail reads well gives its own record; any other, or one whose detail does not read,
 * gives a generic `ecs-event` record. Both keep the detail verbatim (bounded). Only an envelope
 * that cannot be read (no id, time, account, region; a detail-type longer than EventBridge allows)
 * makes the event invalid.
 */
function mapNewerEcsEvent(
  event: FieldReader,
  detailType: string,
  input: Record<string, unknown>,
  problems: Problem[],
): MapResult {
  if (detailType.length > MAX_DETAIL_TYPE_LENGTH) {
    event.problem(
      'detail-type',
      `is longer than EventBridge's ${MAX_DETAIL_TYPE_LENGTH} characters (${detailType.length})`,
    );
  }
  const envelope = readEnvelopeHeader(event);
  if (problems.length > 0) return invalid(problems, input);
  const detail = input['detail'];
  const mapper = isNewerEcsDetailType(detailType) ? NEWER_DETAIL_MAPPERS[detailType] : undefined;
  const detailProblems: Problem[] = [];
  if (mapper !== undefined && !isJsonObject(detail))
    detailProblems.push({
      path: 'detail',
      message: `must be an object, got ${describeType(detail)}`,
    });
  else if (mapper !== undefined) {
    // Lenient: an optional value it cannot read is left out; a required one missing is a problem.
    const reader = new Reader(detail as Record<string, unknown>, 'detail', detailProblems, true);
    const record = mapper(envelope, reader, detailProblems);
    if (record !== undefined && detailProblems.length === 0) {
      keepDetail(record, detailType, detail);
      return mapped([record]);
    }
  }
  return mapped([mapGenericEcsEvent(envelope, detail, detailProblems)]);
}

function mapBareCloudTrailRecord(record: Record<string, unknown>): MapResult {
  const problems: Problem[] = [];
  return settle(mapCloudTrailRecord(new Reader(record, '', problems), problems), problems, record);
}

function mapLookupEventsEvent(cloudTrailEvent: string, input: Record<string, unknown>): MapResult {
  let record: unknown;
  try {
    record = JSON.parse(cloudTrailEvent);
  } catch (error) {
    return invalid(
      [{ path: 'CloudTrailEvent', message: `is not valid JSON: ${(error as Error).message}` }],
      input,
    );
  }
  if (!isJsonObject(record)) {
    return invalid(
      [
        {
          path: 'CloudTrailEvent',
          message: `must hold a JSON object, got ${describeType(record)}`,
        },
      ],
      input,
    );
  }
  if (isNestedDeeperThan(record, MAX_EVENT_DEPTH))
    return invalid([{ path: 'CloudTrailEvent', message: nestedTooDeep() }], input);
  const problems: Problem[] = [];
  const result = mapCloudTrailRecord(new Reader(record, 'CloudTrailEvent', problems), problems);
  return settle(result, problems, input);
}

/** Problems always win: a half-read event is invalid, never partly mapped. */
function settle(result: MapResult | undefined, problems: Problem[], input: unknown): MapResult {
  if (problems.length > 0 || result === undefined) {
    return invalid(
      problems.length > 0 ? problems : [{ path: '', message: 'could not be mapped' }],
      input,
    );
  }
  return result;
}
