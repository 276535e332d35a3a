import fc from 'fast-check';
import { parseTime } from './iso-time';

describe('parseTime', () => {
  it('reads the times toISOString writes as Date.parse does', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1000-01-01T00:00:00.000Z'),
          max: new Date('9999-12-31T23:59:59.999Z'),
          noInvalidDate: true,
        }),
        (date) => {
          const iso = date.toISOString();
          expect(parseTime(iso)).toBe(Date.parse(iso));
        },
      ),
    );
  });

  it.each([
    '2026-11-20T12:00:00Z',
    '2026-11-20T12:00:00.000+02:00',
    '2026-11-20T24:00:00.000Z',
    '2026-02-29T00:00:00.000Z',
    '1969-12-31T23:59:59.999Z',
    'not a time',
  ])('reads %s, which is not canonical, as Date.parse does', (iso) => {
    expect(parseTime(iso)).toEqual(Date.parse(iso));
  });
});
