import fc from 'fast-check';
import { MAX_RANGE_DAYS } from '@ecslog/audit-store';
import { BadTimeRangeError, durationMs, parseInstant, timeRangeOf } from './time-range';

const NOW = Date.parse('2026-11-24T12:00:00.000Z');

describe('timeRangeOf', () => {
  it('reads --since back from now', () => {
    expect(timeRangeOf({ since: '24h' }, '7d', NOW)).toEqual({
      from: '2026-11-23T12:00:00.000Z',
      to: '2026-11-24T12:00:00.000Z',
    });
    expect(timeRangeOf({ since: '90m' }, '7d', NOW).from).toBe('2026-11-24T10:30:00.000Z');
    expect(timeRangeOf({ since: '2w' }, '7d', NOW).from).toBe('2026-11-10T12:00:00.000Z');
    expect(timeRangeOf({ since: '1.5d' }, '7d', NOW).from).toBe('2026-11-23T00:00:00.000Z');
  });

  it('uses the default when no range is given', () => {
    expect(timeRangeOf({}, '7d', NOW).from).toBe('2026-11-17T12:00:00.000Z');
  });

  it('runs --from alone to now, and reads a bare --to date as the end of that day', () => {
    expect(timeRangeOf({ from: '2026-11-20T03:00:00+01:00' }, '24h', NOW)).toEqual({
      from: '2026-11-20T02:00:00.000Z',
      to: '2026-11-24T12:00:00.000Z',
    });
    expect(timeRangeOf({ from: '2026-11-20', to: '2026-11-20' }, '24h', NOW)).toEqual({
      from: '2026-11-20T00:00:00.000Z',
      to: '2026-11-20T23:59:59.999Z',
    });
  });

  it('rejects ranges that cannot be meant', () => {
    const bad = (options: Parameters<typeof timeRangeOf>[0]) => () =>
      timeRangeOf(options, '24h', NOW);
    expect(bad({ since: '1d', from: '2026-11-20' })).toThrow('use either --since or --from/--to');
    expect(bad({ to: '2026-11-20' })).toThrow('--to needs --from');
    expect(bad({ from: '2026-11-21', to: '2026-11-20T12:00:00Z' })).toThrow(
      'the range ends before it starts',
    );
    expect(bad({ since: `${MAX_RANGE_DAYS}d` })).toThrow(/spans \d+ days; at most/);
    expect(bad({ from: 'last tuesday' })).toThrow(/^--from must be a time/);
    expect(bad({ since: '0h' })).toThrow(BadTimeRangeError);
  });

  it('gives a range of exactly the duration, ending now, for any --since', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('s', 'm', 'h', 'd'),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: Date.parse('2020-01-01'), max: Date.parse('2030-01-01') }),
        (unit, amount, now) => {
          const range = timeRangeOf({ since: `${amount}${unit}` }, '24h', now);
          expect(Date.parse(range.to)).toBe(now);
          expect(Date.parse(range.to) - Date.parse(range.from)).toBe(
            durationMs(`${amount}${unit}`),
          );
        },
      ),
    );
  });
});

describe('durationMs and parseInstant', () => {
  it('reads the units', () => {
    expect([
      durationMs('30s'),
      durationMs('2m'),
      durationMs('1H'),
      durationMs('1d'),
      durationMs('1w'),
    ]).toEqual([30_000, 120_000, 3_600_000, 86_400_000, 604_800_000]);
  });

  it('names the option in its errors', () => {
    expect(() => durationMs('yesterday')).toThrow(
      '--since must be a positive duration such as 30m, 24h, 7d or 2w, got "yesterday"',
    );
    expect(() => parseInstant('--start', 'soon')).toThrow(/^--start must be a time/);
  });

  it('reads ISO times, zone-less as UTC, and epoch milliseconds', () => {
    expect(parseInstant('--from', '2026-11-20T03:00:05')).toBe('2026-11-20T03:00:05.000Z');
    expect(parseInstant('--from', String(Date.parse('2026-11-24T08:00:00Z')))).toBe(
      '2026-11-24T08:00:00.000Z',
    );
  });
});
