import fc from 'fast-check';
import { isNestedDeeperThan, MAX_EVENT_DEPTH, stringifyAnyDepth, stringifyJson } from './index';

/** `levels` arrays or objects inside each other, around `core`; built without recursion. */
function nested(levels: number, core: unknown = 1, asObjects = false): unknown {
  let value = core;
  for (let i = 0; i < levels; i += 1) value = asObjects ? { k: value } : [value];
  return value;
}

/** The reference depth, for the small values fast-check builds. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Object.values(value as Record<string, unknown>);
  return 1 + Math.max(0, ...children.map(depthOf));
}

describe('isNestedDeeperThan', () => {
  it('counts objects and arrays, not scalars', () => {
    expect(isNestedDeeperThan('text', 0)).toBe(false);
    expect(isNestedDeeperThan({}, 0)).toBe(true);
    expect(isNestedDeeperThan({}, 1)).toBe(false);
    expect(isNestedDeeperThan({ a: [1, { b: null }] }, 2)).toBe(true);
    expect(isNestedDeeperThan({ a: [1, { b: null }] }, 3)).toBe(false);
  });

  it('answers for 1,000,000 levels without overflowing the stack', () => {
    const deep = JSON.parse('['.repeat(1_000_000) + ']'.repeat(1_000_000)) as unknown;
    expect(isNestedDeeperThan(deep, MAX_EVENT_DEPTH)).toBe(true);
  });

  it('agrees with the reference depth on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(12), (value, limit) => {
        expect(isNestedDeeperThan(value, limit)).toBe(depthOf(value) > limit);
      }),
    );
  });
});

describe('stringifyAnyDepth', () => {
  it('writes the same text as JSON.stringify for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(stringifyAnyDepth(value)).toBe(JSON.stringify(value));
      }),
    );
  });

  it('writes out 100,000 levels of arrays and objects, which JSON.stringify cannot', () => {
    for (const asObjects of [false, true]) {
      const deep = nested(100_000, 'x', asObjects);
      expect(() => JSON.stringify(deep)).toThrow(RangeError);

      const text = stringifyAnyDepth(deep);

      const open = asObjects ? '{"k":' : '[';
      const close = asObjects ? '}' : ']';
      expect(text).toBe(`${open.repeat(100_000)}"x"${close.repeat(100_000)}`);
    }
  });

  it('stringifyJson uses it only past the depth limit', () => {
    expect(stringifyJson(nested(MAX_EVENT_DEPTH))).toBe(JSON.stringify(nested(MAX_EVENT_DEPTH)));
    expect(stringifyJson(nested(50_000))).toBe(`${'['.repeat(50_000)}1${']'.repeat(50_000)}`);
  });
});
