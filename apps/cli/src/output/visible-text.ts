/**
 * Text from events, shown to people. Event strings are free text (a StopTask `reason`, a container
 * reason): printed as they are, an ESC or a CR in them would drive the terminal — clear the
 * screen, set the window title, plant a hyperlink, overwrite a line — and a bidi override would
 * reorder what people read. So every human-readable output shows those characters as escapes.
 * `--json` prints records exactly and never goes through here. Pure.
 */

/** The two-character escapes people know; every other character below is `\xHH` or `\uHHHH`. */
const NAMED_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * What is shown escaped: the backslash (so that an escape in the output can only come from here),
 * C0 controls, DEL and C1 controls, the bidi embedding, override, isolate and mark characters,
 * the Unicode line and paragraph separators (some renderers break lines at them), and lone
 * surrogates (they cannot be written as UTF-8 and would come out as U+FFFD, hiding what was there).
 */
const SHOWN_ESCAPED =
  // eslint-disable-next-line no-control-regex -- matching control characters is this module's purpose
  /[\\\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The same set, not global: `test` then keeps no state between calls. */
const ANY_SHOWN_ESCAPED = new RegExp(SHOWN_ESCAPED.source);

/**
 * `text` with control, bidi control and lone surrogate characters shown as escapes (`\x1b`,
 * `\u202e`, `\n`, `\t`) and each backslash doubled, so the result reads back unambiguously.
 * Returns `text` itself when there is nothing to escape (the common case).
 *
 * @example
 * visibleText('stopped\x1b[2J by \u202eadmin\\ops');
 * // 'stopped\\x1b[2J by \\u202eadmin\\\\ops'  (as typed: stopped\x1b[2J by \u202eadmin\\ops)
 */
export function visibleText(text: string): string {
  return ANY_SHOWN_ESCAPED.test(text) ? text.replace(SHOWN_ESCAPED, escapeOne) : text;
}

function escapeOne(character: string): string {
  const named = NAMED_ESCAPES[character];
  if (named !== undefined) return named;
  const code = character.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Each line of `text` (split at `\n`) made visible: for text that is lines by design, such as a
 * usage error, whose line breaks stay while everything else is escaped.
 */
export function visibleLines(text: string): string {
  return text.split('\n').map(visibleText).join('\n');
}
