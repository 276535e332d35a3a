import fc from 'fast-check';
import { msOfCanonicalIso, parseTime } from './iso-time';

describe('msOfCanonicalIso (the times packTimeline sends as numbers)', () => {
  it('reads exactly the times toISOString writes, as Date.parse does', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1000-01-01T00:00:00.000Z'),
          max: new Date('9999-12-31T23:59:59.999Z'),
          noInvalidDate: true,
        }),
        (date) => {
          const iso = date.toISOString();
          expect(msOfCanonicalIso(iso)).toBe(Date.parse(iso));
        },
      ),
    );
  });

  it.each([
    ['2026-02-29T00:00:00.000Z', 'not a leap year'],
    ['1900-02-29T12:00:00.000Z', 'a century that is not a leap year'],
    ['2026-04-31T00:00:00.000Z', 'April has 30 days'],
    ['2026-11-20T24:00:00.000Z', 'hour 24'],
    ['2026-11-20T12:60:00.000Z', 'minute 60'],
    ['2026-11-20T12:00:60.000Z', 'second 60'],
    ['2026-13-01T00:00:00.000Z', 'month 13'],
    ['2026-00-10T00:00:00.000Z', 'month 0'],
    ['2026-11-00T00:00:00.000Z', 'day 0'],
    ['0999-12-31T23:59:59.999Z', 'a year before 1000'],
    ['2026-11-20T12:00:00Z', 'no milliseconds'],
    ['2026-11-20T12:00:00.000+00:00', 'an offset'],
    ['2026-11-2OT12:00:00.000Z', 'a letter for a digit'],
    ['+002026-11-20T12:00:00.000Z', 'an expanded year'],
  ])('gives no number for %s (%s): the text would not read back the same', (iso) => {
    expect(msOfCanonicalIso(iso)).toBeUndefined();
  });

  it('reads the last day of February in a leap year, and the last millisecond of a year', () => {
    expect(msOfCanonicalIso('2024-02-29T00:00:00.000Z')).toBe(
      Date.parse('2024-02-29T00:00:00.000Z'),
    );
    expect(msOfCanonicalIso('2000-02-29T00:00:00.000Z')).toBe(
      Date.parse('2000-02-29T00:00:00.000Z'),
    );
    expect(msOfCanonicalIso('2026-12-31T23:59:59.999Z')).toBe(
      Date.parse('2026-12-31T23:59:59.999Z'),
    );
  });
});

describe('parseTime', () => {
  it('reads any ISO time as Date.parse does, the canonical ones without parsing', () => {
    for (const iso of [
      '2026-11-20T12:00:00.000Z',
      '2026-11-20T12:00:00Z',
      '2026-11-20T24:00:00.000Z',
      'not a time',
    ])
      expect(parseTime(iso)).toEqual(Date.parse(iso));
  });
});
