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

/**
 * The classic detail-types ecslog audits (source `aws.ecs`), read strictly: a detail that cannot be
 * read makes the event invalid (quarantined whole). Every other detail-type of `aws.ecs` is
 * audited too ({@link NEWER_ECS_DETAIL_TYPES}, else a generic record).
 */
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
  const envelope = readEnvelopeHeader(event);
  envelope.detail = requiredObject(event, 'detail');
  return envelope;
}

/**
 * The envelope without its detail (`detail` undefined): for detail-types whose detail may be any
 * JSON value (generic records keep it as it is).
 */
export function readEnvelopeHeader(event: FieldReader): EventBridgeEnvelope {
  const e = event.fields; // loaded by name: every event passes here
  return {
    id: event.requiredStringValue(e['id'], 'id'),
    detailType: event.requiredStringValue(e['detail-type'], 'detail-type'),
    account: event.requiredStringValue(e['account'], 'account'),
    region: event.requiredStringValue(e['region'], 'region'),
    time: event.requiredTimestampValue(e['time'], 'time'),
    event,
    detail: undefined,
  };
}

function requiredObject(reader: FieldReader, key: string): FieldReader | undefined {
  const nested = reader.object(key);
  if (!nested && !reader.has(key)) reader.problem(key, 'is required');
  return nested;
}

/**
 * Detail-types ECS added later that ecslog models (from the current ECS Developer Guide), read
 * leniently: a detail of theirs the mapper cannot read becomes a generic record, with the problems.
 */
export const NEWER_ECS_DETAIL_TYPES = [
  'ECS Container Instance Health Change',
  'ECS Daemon Service Action',
  'ECS Daemon Deployment State Change',
] as const;

export type NewerEcsDetailType = (typeof NEWER_ECS_DETAIL_TYPES)[number];

export function isNewerEcsDetailType(value: string): value is NewerEcsDetailType {
  return (NEWER_ECS_DETAIL_TYPES as readonly string[]).includes(value);
}

/**
 * EventBridge's limit on a detail-type (PutEvents `DetailType`): longer text is no EventBridge
 * event, so it is invalid rather than kept.
 */
export const MAX_DETAIL_TYPE_LENGTH = 128;
