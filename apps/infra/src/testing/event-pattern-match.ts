/**
 * EventBridge's event-pattern matching, for the subset of it ecslog's rules use, so that specs can
 * tell which rule an event reaches (there is no local EventBridge). From the EventBridge User
 * Guide's "Event patterns" and "Content filtering" pages:
 * - every field of the pattern must match (AND); a field the pattern does not name is free;
 * - a pattern value is an array of matchers, any of which may match (OR); an array in the event
 *   matches when any of its elements does;
 * - a nested object recurses into the event's object at that key;
 * - matchers: a string or number (exact), `{prefix}`, `{anything-but: [...]}`, `{exists: bool}`
 *   (`exists: false` matches an absent field; a field of `null` is present);
 * - `$or: [pattern, …]`: any one sub-pattern, together with the other fields;
 * - a pattern is matched by paths to its leaves, so under an absent object every leaf is absent:
 *   only `{exists: false}` matches there (Lambda's filtering of DynamoDB stream records relies on
 *   it: `src: { S: [{ exists: false }] }` matches an image without `src`; the Lambda guide's
 *   "Using the Exists operator").
 */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  const object = isObject(event) ? event : {};
  for (const [key, expected] of Object.entries(pattern)) {
    if (key === '$or') {
      const branches = expected as Record<string, unknown>[];
      if (!branches.some((branch) => matchesPattern(branch, object))) return false;
      continue;
    }
    const value = object[key];
    if (Array.isArray(expected)) {
      if (!matchesAny(expected, value, key in object)) return false;
    } else if (isObject(expected)) {
      if (value !== undefined && !isObject(value)) return false;
      if (!matchesPattern(expected, value ?? {})) return false;
    } else throw new Error(`pattern field ${key} must be an array or an object`);
  }
  return true;
}

function matchesAny(matchers: unknown[], value: unknown, present: boolean): boolean {
  return matchers.some((matcher) => {
    if (isObject(matcher) && 'exists' in matcher) return matcher['exists'] === present;
    if (!present) return false;
    const values = Array.isArray(value) ? value : [value];
    return values.some((v) => matchesOne(matcher, v));
  });
}

function matchesOne(matcher: unknown, value: unknown): boolean {
  if (typeof matcher === 'string' || typeof matcher === 'number') return matcher === value;
  if (!isObject(matcher)) throw new Error(`unsupported matcher ${JSON.stringify(matcher)}`);
  if ('prefix' in matcher)
    return typeof value === 'string' && value.startsWith(String(matcher['prefix']));
  if ('anything-but' in matcher) {
    const excluded = matcher['anything-but'];
    const list = Array.isArray(excluded) ? excluded : [excluded];
    return typeof value === 'string' && !list.includes(value);
  }
  throw new Error(`unsupported matcher ${JSON.stringify(matcher)}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
