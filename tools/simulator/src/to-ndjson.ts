/**
 * Events as NDJSON: one JSON document per line, each line ending in `\n` (for `ecslog simulate --out`).
 *
 * @example
 * toNdjson([{ a: 1 }, { b: 2 }]); // '{"a":1}\n{"b":2}\n'
 */
export function toNdjson(events: readonly unknown[]): string {
  return events.map((event) => `${JSON.stringify(event)}\n`).join('');
}
