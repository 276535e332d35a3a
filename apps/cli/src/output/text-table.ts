/**
 * Plain-text tables for people: columns padded to their widest cell, two spaces apart; the last
 * column is never padded or cut (summaries stay whole). Pure.
 *
 * @example
 * renderTable(['TASK', 'STATUS'], [['0a1b', 'STOPPED']]);
 * // 'TASK  STATUS\n0a1b  STOPPED\n'
 */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}
