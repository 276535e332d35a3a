/** Longest summary kept on a record; the full reason stays in its own field, verbatim. */
export const MAX_SUMMARY_LENGTH = 300;

/** Collapses whitespace (summaries are one line) and caps the length with an ellipsis. */
export function toSummaryLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= MAX_SUMMARY_LENGTH ? line : `${line.slice(0, MAX_SUMMARY_LENGTH - 1)}…`;
}
