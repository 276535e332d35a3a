import fc from 'fast-check';
import { formatDuration, formatTime, zoneName } from './time-format';
import { renderTable } from './text-table';

describe('formatTime', () => {
  it('shows UTC with --utc and the host zone otherwise', () => {
    const iso = '2026-11-20T03:04:05.678Z';
    const date = new Date(iso);
    const two = (n: number) => String(n).padStart(2, '0');
    const local = `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;

    expect(formatTime(iso, { utc: true })).toBe('2026-11-20 03:04:05');
    expect(formatTime(iso, { utc: false })).toBe(local);
    expect(formatTime(undefined, { utc: true })).toBe('-');
    expect(zoneName({ utc: true })).toBe('UTC');
  });
});

describe('formatDuration', () => {
  it.each([
    [999, '999ms'],
    [1_000, '1s'],
    [59_999, '59s'],
    [60_000, '1m00s'],
    [3_599_000, '59m59s'],
    [3_600_000, '1h00m'],
    [86_400_000 + 3 * 3_600_000, '1d03h'],
    [undefined, '-'],
    [-5, '-'],
  ])('%s ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('renderTable', () => {
  it('pads every column but the last to its widest cell', () => {
    expect(
      renderTable(
        ['TASK', 'STATUS', 'SUMMARY'],
        [
          ['0a1b2c', 'STOPPED', 'exit 1'],
          ['9', 'RUNNING', ''],
        ],
      ),
    ).toBe('TASK    STATUS   SUMMARY\n0a1b2c  STOPPED  exit 1\n9       RUNNING\n');
  });
});

describe('formatTime in UTC and in local time', () => {
  const two = (n: number) => String(n).padStart(2, '0');
  /** The host's wall-clock time of an instant, read with Date's local getters. */
  const localWallClock = (iso: string) => {
    const d = new Date(iso);
    return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  };

  it.each([
    ['2026-11-20T03:00:05.123Z', '2026-11-20 03:00:05'],
    ['2026-11-19T23:59:59.999Z', '2026-11-19 23:59:59'],
    ['2026-03-29T01:30:00.000Z', '2026-03-29 01:30:00'],
    ['2026-10-25T00:59:59.000Z', '2026-10-25 00:59:59'],
    ['2028-02-29T12:00:00.000Z', '2028-02-29 12:00:00'],
    ['1970-01-01T00:00:00.000Z', '1970-01-01 00:00:00'],
  ])('shows %s as %s in UTC, and as the host clock reads it otherwise', (iso, utc) => {
    expect(formatTime(iso, { utc: true })).toBe(utc);
    expect(formatTime(iso, { utc: false })).toBe(localWallClock(iso));
  });

  it('reads a time with an offset as the instant it names', () => {
    expect(formatTime('2026-11-20T04:00:05+01:00', { utc: true })).toBe('2026-11-20 03:00:05');
  });

  it('drops milliseconds rather than rounding into the next second', () => {
    expect(formatTime('2026-11-20T23:59:59.999Z', { utc: true })).toBe('2026-11-20 23:59:59');
  });

  it('shows text that is not a time as it is, and nothing as -', () => {
    expect(formatTime('not a time', { utc: true })).toBe('not a time');
    expect(formatTime('not a time', { utc: false })).toBe('not a time');
    expect(formatTime(undefined, { utc: false })).toBe('-');
  });

  it('names the host zone when not in UTC', () => {
    expect(zoneName({ utc: false })).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  it('keeps the UTC text in step with the instant, for any instant', () => {
    const instant = fc.integer({
      min: Date.parse('1970-01-01T00:00:00Z'),
      max: Date.parse('9999-12-31T23:59:59Z'),
    });

    fc.assert(
      fc.property(instant, (ms) => {
        const text = formatTime(new Date(ms).toISOString(), { utc: true });

        expect(text).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
        expect(Date.parse(`${text.replace(' ', 'T')}Z`)).toBe(ms - (ms % 1_000));
      }),
    );
  });
});

describe('formatDuration boundaries', () => {
  it.each([
    [0, '0ms'],
    [999, '999ms'],
    [1_000, '1s'],
    [59_000, '59s'],
    [60_000, '1m00s'],
    [61_000, '1m01s'],
    [3_599_999, '59m59s'],
    [3_600_000, '1h00m'],
    [86_399_999, '23h59m'],
    [86_400_000, '1d00h'],
    [9 * 86_400_000 + 23 * 3_600_000, '9d23h'],
    [Number.NaN, '-'],
    [Number.POSITIVE_INFINITY, '-'],
    [-1, '-'],
  ])('%s ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('shows the largest two units, cutting the rest, never rounding up', () => {
    const UNIT_MS: Record<string, number> = {
      ms: 1,
      s: 1_000,
      m: 60_000,
      h: 3_600_000,
      d: 86_400_000,
    };
    /** `3m05s` → [185 000, 1 000]: the value shown and the size of its smallest unit. */
    const readBack = (text: string): [number, number] => {
      const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d)/g)];
      expect(parts.map((p) => p[0]).join('')).toBe(text);
      const value = parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_MS[unit!]!, 0);
      return [value, UNIT_MS[parts[parts.length - 1]![2]!]!];
    };

    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 86_400_000 }), (ms) => {
        const text = formatDuration(ms);

        const [shown, step] = readBack(text);
        expect(text).toMatch(/^(\d+ms|\d+s|\d+m\d{2}s|\d+h\d{2}m|\d+d\d{2}h)$/);
        expect(shown).toBeLessThanOrEqual(ms);
        expect(ms).toBeLessThan(shown + step);
      }),
    );
  });
});
