import { decodeBase64Text } from './base64-text';

/** A Firehose record's data: a JSON value, or why it is not one. */
export type FirehoseData =
  | { kind: 'json'; value: unknown }
  | { kind: 'unreadable'; problem: 'not-base64' | 'not-utf8' | 'not-json'; reason: string };

/**
 * Decodes a Firehose record's base64 `data` as UTF-8 JSON. Never throws, and never puts any of
 * the data in a reason (reasons are logged).
 *
 * Base64 is checked strictly ({@link decodeBase64Text}); the URL-safe alphabet (`-`, `_`) is
 * accepted, as it decodes unambiguously. A UTF-8 byte-order mark is ignored.
 *
 * @example
 * decodeFirehoseData(Buffer.from('{"a":1}').toString('base64')); // { kind: 'json', value: { a: 1 } }
 * decodeFirehoseData('not base64!'); // { kind: 'unreadable', problem: 'not-base64', … }
 */
export function decodeFirehoseData(base64: string): FirehoseData {
  const decoded = decodeBase64Text(base64);
  if (decoded.kind === 'not-base64')
    return {
      kind: 'unreadable',
      problem: 'not-base64',
      reason: `data is not base64 (${base64.length} characters)`,
    };
  if (decoded.kind === 'not-utf8')
    return {
      kind: 'unreadable',
      problem: 'not-utf8',
      reason: `data is not UTF-8 text (${decoded.bytes} bytes)`,
    };
  const { text } = decoded;
  try {
    const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // JSON itself has no BOM
    return { kind: 'json', value: JSON.parse(json) as unknown };
  } catch {
    // V8's SyntaxError quotes the text around the error: it stays out of the reason.
    return {
      kind: 'unreadable',
      problem: 'not-json',
      reason: `data is not JSON (${Buffer.byteLength(text)} bytes of UTF-8 text)`,
    };
  }
}
