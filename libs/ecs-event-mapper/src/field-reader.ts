import type { Problem } from './map-result';
import { impossibleTimestampReason, parseTimestamp } from './timestamps';

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads fields of an untrusted JSON object, remembering every problem with its JSON path.
 *
 * Tolerance rules (AWS adds fields and enum values without notice):
 * - unknown fields are ignored; enum-like values are kept as the strings they are;
 * - `null` counts as absent;
 * - scalars are accepted where a string is expected (`cpu: 256` reads as "256"), and
 *   integer strings where a number is expected (`version: "4"` reads as 4);
 * - a wrong structure (an object where a string belongs), a missing required field or an
 *   unreadable timestamp is a problem.
 * Lenient readers (`lenient: true`) drop unreadable optional values instead of reporting
 * them: used for CloudTrail's nested response objects, which are best-effort by design.
 */
export class FieldReader {
  constructor(
    /** The object read. Hot paths load known fields by name and validate them with the `…Value` methods. */
    readonly fields: JsonObject,
    /** Where this object is, as a path, or how to build it: built only when a problem is reported. */
    private readonly origin: string | PathOrigin,
    private readonly problems: Problem[],
    private readonly lenient = false,
  ) {}

  get path(): string {
    const origin = this.origin;
    if (typeof origin === 'string') return origin;
    const path = origin.parent.pathOf(origin.key);
    return origin.index === undefined ? path : `${path}[${origin.index}]`;
  }

  pathOf(key: string): string {
    const path = this.path;
    return path ? `${path}.${key}` : key;
  }

  raw(key: string): unknown {
    return this.fields[key];
  }

  has(key: string): boolean {
    const value = this.fields[key];
    return value !== undefined && value !== null;
  }

  string(key: string): string | undefined {
    return this.stringValue(this.fields[key], key);
  }

  /** Validates a value loaded from field `key` (see the tolerance rules above). */
  stringValue(value: unknown, key: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value === '' ? undefined : value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    this.report(key, `must be a string, got ${describeType(value)}`);
    return undefined;
  }

  requiredString(key: string): string {
    return this.requiredStringValue(this.fields[key], key);
  }

  requiredStringValue(raw: unknown, key: string): string {
    const value = this.stringValue(raw, key);
    if (value === undefined && !this.hasProblemAt(key)) this.problem(key, 'is required');
    return value ?? '';
  }

  integer(key: string): number | undefined {
    return this.integerValue(this.fields[key], key);
  }

  integerValue(value: unknown, key: string): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    if (typeof value === 'string' && /^-?\d{1,15}$/.test(value.trim())) return Number(value.trim());
    this.report(key, `must be an integer, got ${describeValue(value)}`);
    return undefined;
  }

  boolean(key: string): boolean | undefined {
    return this.booleanValue(this.fields[key], key);
  }

  booleanValue(value: unknown, key: string): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    this.report(key, `must be a boolean, got ${describeValue(value)}`);
    return undefined;
  }

  timestampValue(value: unknown, key: string): string | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    const parsed = parseTimestamp(value);
    if (parsed === undefined) {
      const why = impossibleTimestampReason(value);
      this.report(key, `is not a timestamp: ${describeValue(value)}${why ? `: ${why}` : ''}`);
    }
    return parsed;
  }

  requiredTimestamp(key: string): string {
    return this.requiredTimestampValue(this.fields[key], key);
  }

  requiredTimestampValue(raw: unknown, key: string): string {
    const value = this.timestampValue(raw, key);
    if (value === undefined && !this.hasProblemAt(key)) this.problem(key, 'is required');
    return value ?? '';
  }

  /** A reader over a nested object; undefined when absent (or, with a problem, not an object). */
  object(key: string): FieldReader | undefined {
    const value = this.fields[key];
    if (value === undefined || value === null) return undefined;
    if (isJsonObject(value))
      return new FieldReader(value, { parent: this, key }, this.problems, this.lenient);
    this.report(key, `must be an object, got ${describeType(value)}`);
    return undefined;
  }

  /** A lenient reader over a nested object: its unreadable optional values are dropped. */
  lenientObject(key: string): FieldReader | undefined {
    const value = this.fields[key];
    return isJsonObject(value)
      ? new FieldReader(value, { parent: this, key }, this.problems, true)
      : undefined;
  }

  /** A reader over element `index` of array `key`, or undefined (reported unless lenient) when it is not an object. */
  element(key: string, index: number): FieldReader | undefined {
    const array = this.fields[key];
    const element: unknown = Array.isArray(array) ? array[index] : undefined;
    if (isJsonObject(element))
      return new FieldReader(element, { parent: this, key, index }, this.problems, this.lenient);
    if (!this.lenient)
      this.problems.push({
        path: `${this.pathOf(key)}[${index}]`,
        message: `must be an object, got ${describeType(element)}`,
      });
    return undefined;
  }

  /** Readers over an array of objects; non-object elements are reported (or, lenient, skipped). */
  objects(key: string): FieldReader[] {
    const value = this.fields[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.report(key, `must be an array, got ${describeType(value)}`);
      return [];
    }
    const readers: FieldReader[] = [];
    for (let index = 0; index < value.length; index++) {
      const element: unknown = value[index];
      if (isJsonObject(element)) {
        readers.push(
          new FieldReader(element, { parent: this, key, index }, this.problems, this.lenient),
        );
      } else if (!this.lenient) {
        this.problems.push({
          path: `${this.pathOf(key)}[${index}]`,
          message: `must be an object, got ${describeType(element)}`,
        });
      }
    }
    return readers;
  }

  /** The string elements of an array (other elements are reported, or, lenient, skipped). */
  strings(key: string): string[] | undefined {
    const value = this.fields[key];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      this.report(key, `must be an array, got ${describeType(value)}`);
      return undefined;
    }
    const strings: string[] = [];
    for (let index = 0; index < value.length; index++) {
      const element: unknown = value[index];
      if (typeof element === 'string') strings.push(element);
      else if (!this.lenient) {
        this.problems.push({
          path: `${this.pathOf(key)}[${index}]`,
          message: `must be a string, got ${describeType(element)}`,
        });
      }
    }
    return strings;
  }

  /** Records "is required" for each key that is absent (type errors are the readers' concern). */
  requirePresent(...keys: string[]): void {
    for (const key of keys)
      if (!this.has(key) && !this.hasProblemAt(key)) this.problem(key, 'is required');
  }

  problem(key: string, message: string): void {
    this.problems.push({ path: this.pathOf(key), message });
  }

  private report(key: string, message: string): void {
    if (!this.lenient) this.problem(key, message);
  }

  private hasProblemAt(key: string): boolean {
    const path = this.pathOf(key);
    return this.problems.some((p) => p.path === path);
  }
}

/** The parent, key and (for array elements) index a nested reader was reached by. */
interface PathOrigin {
  parent: FieldReader;
  key: string;
  index?: number;
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return describeType(value);
}
