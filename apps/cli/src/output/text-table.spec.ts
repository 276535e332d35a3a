import fc from 'fast-check';
import { renderTable } from './text-table';

describe('renderTable', () => {
  it('pads each column to its widest cell, header included, two spaces apart', () => {
    const table = renderTable(
      ['TASK', 'STATUS', 'STARTED', 'SUMMARY'],
      [
        ['7f3c9a1e', 'STOPPED', '2026-11-20 03:00:05', 'stopped by service scheduler'],
        [
          'b1449e8f',
          'STOPPED',
          '2026-11-19 22:40:17',
          'container worker killed: out of memory (exit 137)',
        ],
        [
          '-',
          'not-started',
          '2026-11-21 03:00:05',
          'could not place task nightly-report: RESOURCE:MEMORY',
        ],
      ],
    );

    expect(table).toBe(
      [
        'TASK      STATUS       STARTED              SUMMARY',
        '7f3c9a1e  STOPPED      2026-11-20 03:00:05  stopped by service scheduler',
        'b1449e8f  STOPPED      2026-11-19 22:40:17  container worker killed: out of memory (exit 137)',
        '-         not-started  2026-11-21 03:00:05  could not place task nightly-report: RESOURCE:MEMORY',
        '',
      ].join('\n'),
    );
  });

  it('never pads the last column, so no line ends in spaces', () => {
    const table = renderTable(
      ['GROUP', 'EXAMPLE'],
      [
        ['service:web', 'health check failed: Task failed container health checks'],
        ['family:nightly-report', 'exit 1'],
        ['service:api', ''],
      ],
    );

    expect(table.split('\n')).toEqual([
      'GROUP                  EXAMPLE',
      'service:web            health check failed: Task failed container health checks',
      'family:nightly-report  exit 1',
      'service:api',
      '',
    ]);
  });

  it('shows control and bidi control characters of cells escaped, and pads by what is shown', () => {
    const table = renderTable(
      ['TASK', 'SUMMARY'],
      [
        ['a\x1b[2Jb', 'stopped: \x1b]0;title\x07\rall tasks succeeded\u202e'],
        ['c', 'ok'],
      ],
    );

    expect(table).toBe(
      [
        'TASK       SUMMARY',
        'a\\x1b[2Jb  stopped: \\x1b]0;title\\x07\\rall tasks succeeded\\u202e',
        'c          ok',
        '',
      ].join('\n'),
    );
  });

  it('lays out a table of 200,000 rows', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => [String(i), 'x']);

    expect(renderTable(['N', 'X'], rows).split('\n')[1]).toBe('0       x');
  });

  it('renders the headers alone when there are no rows', () => {
    expect(renderTable(['TASK', 'STATUS'], [])).toBe('TASK  STATUS\n');
  });

  it('puts every cell at its column and keeps the last one whole, for any table', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9:._-]{1,12}$/);
    const table = fc.integer({ min: 1, max: 5 }).chain((columns) =>
      fc.record({
        headers: fc.array(word, { minLength: columns, maxLength: columns }),
        rows: fc.array(fc.array(word, { minLength: columns, maxLength: columns }), {
          maxLength: 6,
        }),
      }),
    );

    fc.assert(
      fc.property(table, ({ headers, rows }) => {
        const lines = renderTable(headers, rows).split('\n');

        expect(lines.pop()).toBe('');
        expect(lines).toHaveLength(rows.length + 1);
        const cells = [headers, ...rows];
        // A column starts two spaces after the previous column's widest cell.
        const starts = headers.map((_, column) =>
          headers
            .slice(0, column)
            .reduce(
              (start, __, before) => start + Math.max(...cells.map((r) => r[before]!.length)) + 2,
              0,
            ),
        );
        lines.forEach((line, i) => {
          const row = cells[i] as string[];
          row.forEach((cell, column) => {
            expect(line.slice(starts[column], (starts[column] as number) + cell.length)).toBe(cell);
          });
          expect(line.endsWith(row[row.length - 1] as string)).toBe(true);
        });
      }),
    );
  });
});
