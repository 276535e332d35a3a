import fc from 'fast-check';
import { sdkDate } from './testing';
import { canonicalIsoMs, parseTimestamp } from './timestamps';

describe('parseTimestamp', () => {
  it.each([
    ['2026-11-20T03:00:05Z', '2026-11-20T03:00:05.000Z'],
    ['2026-11-20T03:00:05.123Z', '2026-11-20T03:00:05.123Z'],
    // Found by the round-trip property: ISO input must never go through the epoch-seconds guess.
    ['1970-01-01T00:00:00.001Z', '1970-01-01T00:00:00.001Z'],
    ['2026-11-20T03:00:05.54Z', '2026-11-20T03:00:05.540Z'],
    ['2026-11-20T03:00:05.123456789Z', '2026-11-20T03:00:05.123Z'],
    ['2026-11-20T03:00:05', '2026-11-20T03:00:05.000Z'],
    ['2026-11-20T04:00:05+01:00', '2026-11-20T03:00:05.000Z'],
    ['2021-11-18T09:41:02-08:00', '2021-11-18T17:41:02.000Z'],
    ['Nov 20, 2026, 3:00:05 AM', '2026-11-20T03:00:05.000Z'],
    ['Nov 20, 2026, 12:00:05 AM', '2026-11-20T00:00:05.000Z'],
    ['Nov 20, 2026, 12:00:05 PM', '2026-11-20T12:00:05.000Z'],
    ['Jul 9, 2018 12:56:54 PM', '2018-07-09T12:56:54.000Z'],
    ['Nov 20, 2026, 3:00:05\u202fPM', '2026-11-20T15:00:05.000Z'],
    [1763607605, '2025-11-20T03:00:05.000Z'],
    [1763607605123, '2025-11-20T03:00:05.123Z'],
    ['1763607605.5', '2025-11-20T03:00:05.500Z'],
  ])('reads %j as %s', (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it.each([
    ['yesterday'],
    [''],
    ['2026-13-01T00:00:00Z'],
    ['2026-02-30T00:00:00Z'],
    ['Foo 20, 2026, 3:00:05 AM'],
    ['Nov 20, 2026, 13:00:05 PM'],
    [-5],
    [Infinity],
    [{}],
    [null],
    ['1960-01-01T00:00:00Z'],
  ])('rejects %j', (input) => {
    expect(parseTimestamp(input)).toBeUndefined();
  });

  it('reads its own output back unchanged, and SDK-rendered dates to the same second', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) }), (ms) => {
        const iso = new Date(ms).toISOString();
        expect(parseTimestamp(iso)).toBe(iso);
        expect(parseTimestamp(sdkDate(ms))).toBe(
          new Date(Math.floor(ms / 1000) * 1000).toISOString(),
        );
      }),
    );
  });

  it('never throws and only ever returns ISO-8601 UTC', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.double(), fc.jsonValue()), (value) => {
        const parsed = parseTimestamp(value);
        if (parsed !== undefined)
          expect(parsed).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      }),
    );
  });
});

describe('canonicalIsoMs', () => {
  it('reads canonical ISO only, with real calendar dates', () => {
    expect(canonicalIsoMs('2026-11-20T03:00:05.123Z')).toBe(Date.UTC(2026, 10, 20, 3, 0, 5, 123));
    expect(canonicalIsoMs('2024-02-29T00:00:00.000Z')).toBe(Date.UTC(2024, 1, 29));
    expect(canonicalIsoMs('2025-02-29T00:00:00.000Z')).toBeNaN();
    expect(canonicalIsoMs('2026-11-20T03:00:05Z')).toBeNaN();
    expect(canonicalIsoMs('2026-11-20T03:00:05.12xZ')).toBeNaN();
  });
});
