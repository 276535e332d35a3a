import type { Problem } from '@ecslog/ecs-event-mapper';
import { isNestedDeeperThan, MAX_EVENT_DEPTH, nestedTooDeep } from '@ecslog/ecs-event-mapper';

/**
 * A Kinesis record's data: a JSON value, or why it is not one we can use (with the data kept
 * whole): not UTF-8, not JSON, or JSON nested deeper than the mapper reads.
 */
export type KinesisData =
  | { kind: 'json'; value: unknown }
  | { kind: 'not-json'; payload: string; payloadEncoding: 'utf8' | 'base64'; problem: Problem };

// ignoreBOM keeps a byte-order mark in the text, so that raw text comes back byte for byte.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes a Kinesis record's base64 `data` and parses it as JSON. Never throws: data that is not
 * JSON comes back as its raw text, or as the original base64 when it is not even UTF-8 (a KPL
 * aggregated record, compressed data), so that it can be quarantined without losing a byte.
 * JSON nested deeper than {@link MAX_EVENT_DEPTH} comes back as its raw text too: kept as text,
 * the value never reaches code that would overflow the stack walking it.
 *
 * @example
 * decodeKinesisData(Buffer.from('{"a":1}').toString('base64')); // { kind: 'json', value: { a: 1 } }
 */
export function decodeKinesisData(base64: string): KinesisData {
  let text: string;
  try {
    text = utf8.decode(Buffer.from(base64, 'base64'));
  } catch {
    return {
      kind: 'not-json',
      payload: base64,
      payloadEncoding: 'base64',
      problem: { path: 'kinesis.data', message: 'is not UTF-8 text (kept as base64)' },
    };
  }
  try {
    const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // JSON itself has no BOM
    const value = JSON.parse(json) as unknown;
    if (isNestedDeeperThan(value, MAX_EVENT_DEPTH))
      return {
        kind: 'not-json',
        payload: text,
        payloadEncoding: 'utf8',
        problem: { path: '', message: nestedTooDeep() },
      };
    return { kind: 'json', value };
  } catch (error) {
    return {
      kind: 'not-json',
      payload: text,
      payloadEncoding: 'utf8',
      problem: { path: 'kinesis.data', message: `is not JSON: ${(error as Error).message}` },
    };
  }
}
