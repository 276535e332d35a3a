import { visibleText } from './visible-text';

/**
 * Plain-text tables for people: columns padded to their widest cell, two spaces apart; the last
 * column is never padded or cut (summaries stay whole). Cells are shown with their control and
 * bidi control characters escaped ({@link visibleText}): they come from events. Pure.
 *
 * @example
 * renderTable(['TASK', 'STATUS'], [['0a1b', 'STOPPED']]);
 * // 'TASK  STATUS\n0a1b  STOPPED\n'
 */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const shownHeaders = headers.map(visibleText);
  const shown = rows.map((row) => row.map(visibleText));
  // A loop, not Math.max(...cells): a spread of 100,000 rows overflows the call stack.
  const widths = shownHeaders.map((header, column) =>
    shown.reduce((widest, row) => Math.max(widest, (row[column] ?? '').length), header.length),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(shownHeaders), ...shown.map(line)].join('\n') + '\n';
}
