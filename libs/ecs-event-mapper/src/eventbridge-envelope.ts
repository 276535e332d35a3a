import type { FieldReader } from './field-reader';

/** The EventBridge envelope fields every ECS event carries. */
export interface EventBridgeEnvelope {
  id: string;
  detailType: string;
  account: string;
  region: string;
  /** ISO-8601 UTC. */
  time: string;
  /** The envelope itself, for fields only some detail-types use (`resources`). */
  event: FieldReader;
  detail: FieldReader | undefined;
}

/** The detail-types ecslog audits (source `aws.ecs`). */
export const ECS_DETAIL_TYPES = [
  'ECS Task State Change',
  'ECS Container Instance State Change',
  'ECS Service Action',
  'ECS Deployment State Change',
  'AWS API Call via CloudTrail',
] as const;

export type EcsDetailType = (typeof ECS_DETAIL_TYPES)[number];

export function isEcsDetailType(value: string): value is EcsDetailType {
  return (ECS_DETAIL_TYPES as readonly string[]).includes(value);
}

/** Reads the envelope; problems are recorded on the reader's problem list. */
export function readEnvelope(event: FieldReader): EventBridgeEnvelope {
  const e = event.fields; // loaded by name: every event passes here
  return {
    id: event.requiredStringValue(e['id'], 'id'),
    detailType: event.requiredStringValue(e['detail-type'], 'detail-type'),
    account: event.requiredStringValue(e['account'], 'account'),
    region: event.requiredStringValue(e['region'], 'region'),
    time: event.requiredTimestampValue(e['time'], 'time'),
    event,
    detail: requiredObject(event, 'detail'),
  };
}

function requiredObject(reader: FieldReader, key: string): FieldReader | undefined {
  const nested = reader.object(key);
  if (!nested && !reader.has(key)) reader.problem(key, 'is required');
  return nested;
}
