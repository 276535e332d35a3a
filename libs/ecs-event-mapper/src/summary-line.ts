import type { Outcome } from './audit-record';

/** Longest summary kept on a record; the full reason stays in its own field, verbatim. */
export const MAX_SUMMARY_LENGTH = 300;

/** Collapses whitespace (summaries are one line) and caps the length with an ellipsis. */
export function toSummaryLine(text: string): string {
  const line = isOneTidyLine(text) ? text : text.replace(/\s+/g, ' ').trim();
  return line.length <= MAX_SUMMARY_LENGTH ? line : `${line.slice(0, MAX_SUMMARY_LENGTH - 1)}…`;
}

/** True when the text has no control characters, no leading, trailing or double spaces. */
function isOneTidyLine(text: string): boolean {
  let previous = 32;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (
      code < 32 ||
      (code === 32 && previous === 32) ||
      code === 0x85 ||
      code === 0xa0 ||
      code >= 0x1680
    ) {
      if (code < 0x1680 || /\s/.test(text[i] as string)) return false;
    }
    previous = code;
  }
  return previous !== 32;
}

/** The outcome with its summary made one capped line (the same object when it already is). */
export function withSummaryLine(outcome: Outcome): Outcome {
  const summary = toSummaryLine(outcome.summary);
  return summary === outcome.summary ? outcome : { ...outcome, summary };
}
