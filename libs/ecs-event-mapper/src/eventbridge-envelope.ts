import type { FieldReader } from './field-reader';

/** The EventBridge envelope fields every ECS event carries. */
export interface EventBridgeEnvelope {
  id: string;
  detailType: string;
  account: string;
  region: string;
  /** ISO-8601 UTC. */
  time: string;
  resources: string[];
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
  return {
    id: event.requiredString('id'),
    detailType: event.requiredString('detail-type'),
    account: event.requiredString('account'),
    region: event.requiredString('region'),
    time: event.requiredTimestamp('time'),
    resources: event.strings('resources') ?? [],
    detail: requiredObject(event, 'detail'),
  };
}

function requiredObject(reader: FieldReader, key: string): FieldReader | undefined {
  const nested = reader.object(key);
  if (!nested && !reader.has(key)) reader.problem(key, 'is required');
  return nested;
}
