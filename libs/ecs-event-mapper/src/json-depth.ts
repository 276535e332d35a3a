/**
 * Nesting depth of untrusted JSON. `JSON.parse` builds values of any depth, but
 * `JSON.stringify`, `structuredClone` and recursive walkers overflow the call stack a few thousand
 * levels down; so every input is checked against {@link MAX_EVENT_DEPTH} before anything walks it,
 * and {@link stringifyAnyDepth} writes out the ones that fail, to keep them.
 */

/**
 * The deepest nesting an event may have: ECS events and CloudTrail records nest about 10 levels
 * (objects and arrays); a stack overflow needs thousands.
 */
export const MAX_EVENT_DEPTH = 64;

/** The problem message for an input nested deeper than `limit` levels. */
export const nestedTooDeep = (limit: number = MAX_EVENT_DEPTH): string =>
  `is nested deeper than ${limit} levels`;

/**
 * Whether `value` has objects or arrays nested more than `limit` levels (`{}` and `[]` are one
 * level; strings, numbers, booleans and `null` none). Recursion stops at `limit`, so the stack
 * stays shallow whatever the input.
 *
 * @example
 * isNestedDeeperThan(JSON.parse('[[1]]'), 1); // true
 * isNestedDeeperThan({ a: [1] }, 2); // false
 */
export function isNestedDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit <= 0) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (isNestedDeeperThan(item, limit - 1)) return true;
    return false;
  }
  const object = value as Record<string, unknown>;
  for (const key in object) if (isNestedDeeperThan(object[key], limit - 1)) return true;
  return false;
}

/**
 * `JSON.stringify` for a value of any depth (what `JSON.parse` returns: objects, arrays, strings,
 * numbers, booleans, null), with an explicit stack instead of recursion. Same text as
 * `JSON.stringify` gives for values it can handle; use it only for values that failed
 * {@link isNestedDeeperThan}, as it is slower.
 *
 * @example
 * stringifyAnyDepth(JSON.parse('['.repeat(10_000) + ']'.repeat(10_000))); // no RangeError
 */
export function stringifyAnyDepth(value: unknown): string {
  const out: string[] = [];
  // Pending work, last first: literal text to emit, or a value to write out.
  const work: Array<string | { value: unknown }> = [{ value }];
  for (let item = work.pop(); item !== undefined; item = work.pop()) {
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    const current = item.value;
    if (typeof current !== 'object' || current === null) {
      // Scalars cannot nest; undefined (only possible in arrays built by hand) is null, as in JSON.
      out.push(JSON.stringify(current) ?? 'null');
    } else if (Array.isArray(current)) {
      work.push(']');
      for (let i = current.length - 1; i >= 0; i -= 1) {
        work.push({ value: current[i] as unknown });
        if (i > 0) work.push(',');
      }
      work.push('[');
    } else {
      const object = current as Record<string, unknown>;
      const keys = Object.keys(object).filter((key) => object[key] !== undefined);
      work.push('}');
      for (let i = keys.length - 1; i >= 0; i -= 1) {
        const key = keys[i] as string;
        work.push({ value: object[key] });
        work.push(`${JSON.stringify(key)}:`);
        if (i > 0) work.push(',');
      }
      work.push('{');
    }
  }
  return out.join('');
}

/**
 * `JSON.stringify` that never overflows: the fast built-in unless `value` is nested deeper than
 * {@link MAX_EVENT_DEPTH}.
 */
export function stringifyJson(value: unknown): string {
  return isNestedDeeperThan(value, MAX_EVENT_DEPTH)
    ? stringifyAnyDepth(value)
    : (JSON.stringify(value) ?? 'null');
}
