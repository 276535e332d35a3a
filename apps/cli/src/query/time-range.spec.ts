import fc from 'fast-check';
import { MAX_WINDOW_DAYS } from '@ecslog/audit-store';
import {
  BadTimeRangeError,
  durationMs,
  parseInstant,
  runQueryOf,
  timeRangeOf,
  windowOf,
} from './time-range';

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
    expect(bad({ since: `${MAX_WINDOW_DAYS}d` })).toThrow(/spans \d+ days; at most/);
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

describe('timeRangeOf: units, boundaries and messages', () => {
  const DAY = 86_400_000;
  const LONGEST_DAYS = MAX_WINDOW_DAYS - 1;

  it('reads every --since unit, in any case and with a space before it', () => {
    const fromOf = (since: string) => timeRangeOf({ since }, '24h', NOW).from;

    expect(fromOf('45s')).toBe('2026-11-24T11:59:15.000Z');
    expect(fromOf('15 M')).toBe('2026-11-24T11:45:00.000Z');
    expect(fromOf('0.25h')).toBe('2026-11-24T11:45:00.000Z');
    expect(fromOf('3D')).toBe('2026-11-21T12:00:00.000Z');
    expect(fromOf(' 1w ')).toBe('2026-11-17T12:00:00.000Z');
  });

  it('uses the default only when neither --since nor --from is given', () => {
    expect(timeRangeOf({}, '90m', NOW)).toEqual({
      from: '2026-11-24T10:30:00.000Z',
      to: '2026-11-24T12:00:00.000Z',
    });
    expect(timeRangeOf({ from: '2026-11-24T11:00:00Z' }, '90m', NOW).from).toBe(
      '2026-11-24T11:00:00.000Z',
    );
    expect(timeRangeOf({ since: '1h' }, '90m', NOW).from).toBe('2026-11-24T11:00:00.000Z');
  });

  it('reads a bare --to date as the last millisecond of that UTC day, and a time as itself', () => {
    expect(timeRangeOf({ from: '2026-11-20T22:00:00Z', to: '2026-11-21' }, '24h', NOW)).toEqual({
      from: '2026-11-20T22:00:00.000Z',
      to: '2026-11-21T23:59:59.999Z',
    });
    expect(timeRangeOf({ from: '2026-11-20', to: '2026-11-21T00:00:00Z' }, '24h', NOW).to).toBe(
      '2026-11-21T00:00:00.000Z',
    );
  });

  it('accepts epoch milliseconds for --from and --to', () => {
    const from = Date.parse('2026-11-20T03:00:05.123Z');
    const to = Date.parse('2026-11-20T09:15:06.587Z');

    expect(timeRangeOf({ from: String(from), to: String(to) }, '24h', NOW)).toEqual({
      from: '2026-11-20T03:00:05.123Z',
      to: '2026-11-20T09:15:06.587Z',
    });
  });

  it('accepts a range of a single instant (both ends are inclusive)', () => {
    const instant = '2026-11-20T03:00:05.123Z';

    expect(timeRangeOf({ from: instant, to: instant }, '24h', NOW)).toEqual({
      from: instant,
      to: instant,
    });
  });

  it('rejects a --from later than now when no --to is given', () => {
    expect(() => timeRangeOf({ from: '2026-11-25' }, '24h', NOW)).toThrow(
      'the range ends before it starts: 2026-11-25T00:00:00.000Z .. 2026-11-24T12:00:00.000Z',
    );
  });

  it('rejects a bare --to date before a --from on a later day', () => {
    expect(() => timeRangeOf({ from: '2026-11-21', to: '2026-11-20' }, '24h', NOW)).toThrow(
      'the range ends before it starts: 2026-11-21T00:00:00.000Z .. 2026-11-20T23:59:59.999Z',
    );
  });

  it('rejects --since together with --to alone, too', () => {
    expect(() => timeRangeOf({ since: '1h', to: '2026-11-24' }, '24h', NOW)).toThrow(
      'use either --since or --from/--to, not both',
    );
  });

  it(`accepts exactly ${MAX_WINDOW_DAYS - 1} days and rejects one millisecond more`, () => {
    const from = '2025-10-21T12:00:00.000Z';
    const longest = new Date(Date.parse(from) + LONGEST_DAYS * DAY).toISOString();
    const tooLong = new Date(Date.parse(from) + LONGEST_DAYS * DAY + 1).toISOString();

    expect(timeRangeOf({ from, to: longest }, '24h', NOW)).toEqual({ from, to: longest });
    expect(timeRangeOf({ since: `${LONGEST_DAYS}d` }, '24h', NOW).to).toBe(
      '2026-11-24T12:00:00.000Z',
    );
    expect(() => timeRangeOf({ from, to: tooLong }, '24h', NOW)).toThrow(
      `the range spans ${MAX_WINDOW_DAYS} days; at most ${LONGEST_DAYS}`,
    );
    expect(() => timeRangeOf({ since: '58w' }, '24h', NOW)).toThrow(
      `the range spans 406 days; at most ${LONGEST_DAYS}`,
    );
  });

  it('rejects impossible zone offsets in --from and --to, saying why', () => {
    for (const offset of ['+99:99', '+24:00', '-24:00', '+05:60', '+0575']) {
      expect(() => timeRangeOf({ from: `2026-11-20T03:00:00${offset}` }, '24h', NOW)).toThrow(
        `--from must be a time such as 2026-11-20T03:00:00Z or 2026-11-20, got "2026-11-20T03:00:00${offset}": its zone offset ${offset} is impossible (hours 00-23, minutes 00-59)`,
      );
      expect(() =>
        timeRangeOf({ from: '2026-11-20', to: `2026-11-21T03:00:00${offset}` }, '24h', NOW),
      ).toThrow(/^--to must be a time .*: its zone offset .* is impossible/);
    }
    // The largest real offsets still read.
    expect(timeRangeOf({ from: '2026-11-20T03:00:00+14:00' }, '24h', NOW).from).toBe(
      '2026-11-19T13:00:00.000Z',
    );
  });

  it('names the option and quotes the text when a time cannot be read', () => {
    const error = (options: Parameters<typeof timeRangeOf>[0]) => {
      try {
        timeRangeOf(options, '24h', NOW);
      } catch (caught) {
        return caught;
      }
      throw new Error('expected a BadTimeRangeError');
    };

    const badTo = error({ from: '2026-11-20', to: 'tomorrow' });
    const badFrom = error({ from: '2026-11-31' });
    const badSince = error({ since: '3y' });

    expect(badTo).toBeInstanceOf(BadTimeRangeError);
    expect((badTo as Error).message).toBe(
      '--to must be a time such as 2026-11-20T03:00:00Z or 2026-11-20, got "tomorrow"',
    );
    expect((badFrom as Error).message).toBe(
      '--from must be a time such as 2026-11-20T03:00:00Z or 2026-11-20, got "2026-11-31"',
    );
    expect((badSince as Error).message).toBe(
      '--since must be a positive duration such as 30m, 24h, 7d or 2w, got "3y"',
    );
    expect((badSince as Error).name).toBe('BadTimeRangeError');
  });

  it('gives a range of exactly the duration, ending now, for any duration within the limit', () => {
    const UNITS = { s: 1_000, m: 60_000, h: 3_600_000, d: DAY, w: 7 * DAY } as const;
    // The amount is generated in thousandths, so every duration is a whole number of milliseconds
    // and the expected length is known without asking the code under test.
    const duration = fc
      .constantFrom(...(Object.keys(UNITS) as (keyof typeof UNITS)[]))
      .chain((unit) =>
        fc.record({
          unit: fc.constant(unit),
          thousandths: fc.integer({
            min: 1,
            max: Math.floor((LONGEST_DAYS * DAY * 1_000) / UNITS[unit]),
          }),
        }),
      );
    const now = fc.integer({ min: Date.parse('2020-01-01'), max: Date.parse('2035-01-01') });

    fc.assert(
      fc.property(duration, now, ({ unit, thousandths }, nowMs) => {
        const whole = Math.floor(thousandths / 1_000);
        const fraction = thousandths % 1_000;
        const since =
          fraction === 0
            ? `${whole}${unit}`
            : `${whole}.${String(fraction).padStart(3, '0')}${unit}`;

        const range = timeRangeOf({ since }, '24h', nowMs);

        expect(Date.parse(range.to)).toBe(nowMs);
        expect(Date.parse(range.to) - Date.parse(range.from)).toBe(
          (thousandths * UNITS[unit]) / 1_000,
        );
      }),
    );
  });

  it(`rejects any --since longer than ${MAX_WINDOW_DAYS - 1} days as a bad range`, () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_WINDOW_DAYS, max: 1_000_000 }), (days) => {
        expect(() => timeRangeOf({ since: `${days}d` }, '24h', NOW)).toThrow(BadTimeRangeError);
      }),
    );
  });
});

describe('durationMs: what is not a duration', () => {
  it.each(['0h', '0.0d', '-1h', '24', 'h', '3y', '1.h', '.5h', '1e3s', '', 'one day'])(
    'rejects %j',
    (text) => {
      expect(() => durationMs(text)).toThrow(
        new BadTimeRangeError(
          `--since must be a positive duration such as 30m, 24h, 7d or 2w, got "${text}"`,
        ),
      );
    },
  );

  it('reads decimals', () => {
    expect(durationMs('1.5h')).toBe(5_400_000);
    expect(durationMs('0.5s')).toBe(500);
  });
});

describe('parseInstant', () => {
  it('reads zone offsets, bare dates and epoch milliseconds as UTC instants', () => {
    expect(parseInstant('--from', '2026-11-20T03:00:05-05:00')).toBe('2026-11-20T08:00:05.000Z');
    expect(parseInstant('--from', '2026-11-20')).toBe('2026-11-20T00:00:00.000Z');
    expect(parseInstant('--to', ' 1795143605123 ')).toBe('2026-11-20T03:00:05.123Z');
  });

  it.each([
    ['--from', 'yesterday'],
    ['--to', '2026-13-01'],
    ['--from', '20/11/2026'],
  ])('rejects %s %j, naming the option', (option, text) => {
    expect(() => parseInstant(option, text)).toThrow(
      `${option} must be a time such as 2026-11-20T03:00:00Z or 2026-11-20, got "${text}"`,
    );
  });
});

describe('very long --since', () => {
  it('is refused as too long, not with an invalid date', () => {
    expect(() => timeRangeOf({ since: '200000000d' }, '24h', NOW)).toThrow(
      /^the range spans 200000000 days; at most \d+$/,
    );
  });
});

describe('runQueryOf', () => {
  it('reads --at as the instant [T, T] and --running as the runs open now', () => {
    const at = runQueryOf({ at: '2026-11-20T03:12:00+01:00' }, '24h', NOW);

    expect(at).toEqual({ kind: 'at', at: '2026-11-20T02:12:00.000Z' });
    expect(windowOf(at)).toEqual({
      from: '2026-11-20T02:12:00.000Z',
      to: '2026-11-20T02:12:00.000Z',
    });
    expect(runQueryOf({ running: true }, '24h', NOW)).toEqual({ kind: 'running' });
    expect(windowOf({ kind: 'running' })).toBeUndefined();
  });

  it('is a range otherwise, the default one when none is given', () => {
    expect(runQueryOf({}, '24h', NOW)).toEqual({
      kind: 'during',
      range: timeRangeOf({}, '24h', NOW),
    });
    expect(runQueryOf({ since: '1h' }, '24h', NOW)).toEqual({
      kind: 'during',
      range: { from: '2026-11-24T11:00:00.000Z', to: '2026-11-24T12:00:00.000Z' },
    });
  });

  it('rejects --at and --running with each other or with a range, naming the clash', () => {
    const bad = (options: Parameters<typeof runQueryOf>[0]) => () =>
      runQueryOf(options, '24h', NOW);

    expect(bad({ at: '2026-11-20', since: '1h' })).toThrow('use either --at or --since, not both');
    expect(bad({ at: '2026-11-20', from: '2026-11-19', to: '2026-11-21' })).toThrow(
      'use either --at or --from, --to, not both',
    );
    expect(bad({ running: true, at: '2026-11-20' })).toThrow(
      '--running lists the runs open now: use it without --at',
    );
    expect(bad({ running: true, since: '1h' })).toThrow(
      '--running lists the runs open now: use it without --since',
    );
    expect(bad({ at: 'noonish' })).toThrow(/^--at must be a time/);
    expect(bad({ running: true, from: '2026-11-20' })).toThrow(BadTimeRangeError);
  });
});
