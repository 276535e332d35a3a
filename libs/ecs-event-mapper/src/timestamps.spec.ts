import fc from 'fast-check';
import { mapEvent } from './map-event';
import { loadFixture, sdkDate } from './testing';
import { canonicalIsoMs, impossibleTimestampReason, parseTimestamp } from './timestamps';

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
    ['2026-11-20T03:00:05+23:59', '2026-11-19T03:01:05.000Z'],
    ['2026-11-20T03:00:05-0959', '2026-11-20T12:59:05.000Z'],
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
    // Zone offsets no zone has: they would move the instant by a day or an hour unnoticed.
    ['2026-11-20T03:00:05+99:99'],
    ['2026-11-20T03:00:05+24:00'],
    ['2026-11-20T03:00:05-24:00'],
    ['2026-11-20T03:00:05+05:60'],
    ['2026-11-20T03:00:05+0560'],
    ['2026-11-20T03:00:05+25'],
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

describe('impossibleTimestampReason', () => {
  it('names an impossible zone offset, and nothing for a real time or a non-ISO value', () => {
    expect(impossibleTimestampReason('2026-11-20T03:00:05+99:99')).toBe(
      'its zone offset +99:99 is impossible (hours 00-23, minutes 00-59)',
    );
    expect(impossibleTimestampReason('2026-11-20T03:00:05+05:60')).toMatch(/\+05:60 is impossible/);
    expect(impossibleTimestampReason('2026-11-20T03:00:05+05:30')).toBeUndefined();
    expect(impossibleTimestampReason('yesterday')).toBeUndefined();
    expect(impossibleTimestampReason(1763607605)).toBeUndefined();
  });
});

describe('an event with an impossible zone offset', () => {
  const stopped = loadFixture<{ time: string; detail: Record<string, unknown> }>(
    'eventbridge/task-stopped-user.json',
  );

  it('is invalid, the problem naming the field, the value and the offset', () => {
    const result = mapEvent({ ...stopped, time: '2026-11-20T11:34:28+99:99' });

    expect(result).toMatchObject({
      kind: 'invalid',
      problems: [
        {
          path: 'time',
          message:
            'is not a timestamp: "2026-11-20T11:34:28+99:99": its zone offset +99:99 is impossible (hours 00-23, minutes 00-59)',
        },
      ],
    });
  });

  it('in a detail timestamp is invalid too (+24:00, minutes 60)', () => {
    for (const [field, value] of [
      ['createdAt', '2026-11-20T11:20:14+24:00'],
      ['stoppedAt', '2026-11-20T11:34:28+05:60'],
    ] as const) {
      const result = mapEvent({ ...stopped, detail: { ...stopped.detail, [field]: value } });

      expect(result.kind).toBe('invalid');
      expect(result.kind === 'invalid' && result.problems).toEqual([
        {
          path: `detail.${field}`,
          message: expect.stringContaining(`its zone offset ${value.slice(-6)} is impossible`),
        },
      ]);
    }
  });
});
