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
