/**
 * Generators of `aws.ecs` events beyond the classic detail-types: any detail-type EventBridge allows
 * with any JSON detail, and container instance health changes built from facts.
 */
import fc from 'fast-check';
import { ECS_DETAIL_TYPES, NEWER_ECS_DETAIL_TYPES } from '../eventbridge-envelope';
import type { Generated } from './arbitraries';
import { accountArb, regionArb } from './arbitraries';

const instantMs = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2027, 11, 31) });
const isoSeconds = (ms: number) =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

const CLASSIC: readonly string[] = ECS_DETAIL_TYPES;

/** A detail-type that is none of the classic ones: a newer documented one, or any text (1–128). */
export const otherDetailTypeArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NEWER_ECS_DETAIL_TYPES),
  fc.constantFrom('ECS Future Thing', 'ECS Capacity Provider State Change'),
  fc.string({ minLength: 1, maxLength: 128 }).filter((text) => !CLASSIC.includes(text)),
);

export interface OtherEventFacts {
  id: string;
  detailType: string;
  account: string;
  region: string;
  /** The envelope time, ISO with milliseconds (what the record's eventTime is). */
  time: string;
  resources: string[];
  /** Absent when the event has no detail. */
  detail?: unknown;
}

const arnArb = fc
  .tuple(regionArb, accountArb, fc.constantFrom('task', 'daemon', 'capacity-provider'), fc.uuid())
  .map(([region, account, type, id]) => `arn:aws:ecs:${region}:${account}:${type}/c1/${id}`);

/**
 * An `aws.ecs` event of a non-classic detail-type with an arbitrary JSON detail (any value, or
 * none), arbitrary `resources` (ARNs and other strings), and a readable envelope.
 */
export const otherEcsEventArb: fc.Arbitrary<Generated<OtherEventFacts>> = fc
  .record({
    id: fc.uuid(),
    detailType: otherDetailTypeArb,
    account: accountArb,
    region: regionArb,
    timeMs: instantMs,
    resources: fc.array(fc.oneof(arnArb, fc.string({ maxLength: 12 })), { maxLength: 3 }),
    detail: fc.option(fc.jsonValue({ maxDepth: 4 }), { nil: undefined, freq: 10 }),
  })
  .map(({ timeMs, detail, ...f }) => {
    const time = isoSeconds(timeMs);
    const facts: OtherEventFacts = {
      ...f,
      time: time.replace('Z', '.000Z'),
      ...(detail !== undefined && { detail }),
    };
    const event: Record<string, unknown> = {
      version: '0',
      id: f.id,
      'detail-type': f.detailType,
      source: 'aws.ecs',
      account: f.account,
      time,
      region: f.region,
      resources: f.resources,
      ...(detail !== undefined && { detail }),
    };
    return { facts, event };
  });
