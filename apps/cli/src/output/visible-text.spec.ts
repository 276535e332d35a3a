import fc from 'fast-check';
import { visibleLines, visibleText } from './visible-text';

/** Every code unit visibleText must never let through. */
const SHOWN_ESCAPED_CODES = new Set([
  ...range(0x00, 0x1f),
  ...range(0x7f, 0x9f),
  0x061c,
  0x200e,
  0x200f,
  0x2028,
  0x2029,
  ...range(0x202a, 0x202e),
  ...range(0x2066, 0x2069),
]);

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** True when the text has a character people must not be shown raw, or a lone surrogate. */
function hasRawControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (SHOWN_ESCAPED_CODES.has(code)) return true;
    const high = code >= 0xd800 && code <= 0xdbff;
    const low = code >= 0xdc00 && code <= 0xdfff;
    const next = text.charCodeAt(i + 1);
    if (high && !(next >= 0xdc00 && next <= 0xdfff)) return true;
    if (high) i += 1;
    else if (low) return true;
  }
  return false;
}

/** The inverse of visibleText, for these tests only: reads `\\`, `\n`, `\r`, `\t`, `\xHH`, `\uHHHH`. */
function readVisibleText(text: string): string {
  return text.replace(/\\(\\|n|r|t|x[0-9a-f]{2}|u[0-9a-f]{4})/g, (_, escape: string) => {
    if (escape === '\\') return '\\';
    if (escape === 'n') return '\n';
    if (escape === 'r') return '\r';
    if (escape === 't') return '\t';
    return String.fromCharCode(parseInt(escape.slice(1), 16));
  });
}

describe('visibleText', () => {
  it('shows the terminal escapes of a hostile stop reason as text: clear screen, title, hyperlink, carriage return, bidi override', () => {
    const reason =
      'x\x1b[2J\x1b]0;pwned\x07\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\\rall tasks succeeded\u202eop';

    expect(visibleText(reason)).toBe(
      'x\\x1b[2J\\x1b]0;pwned\\x07\\x1b]8;;https://evil.example/\\x1b\\\\click\\x1b]8;;\\x1b\\\\\\rall tasks succeeded\\u202eop',
    );
  });

  it('names newline, carriage return and tab, and writes other C0, DEL and C1 controls as \\xHH', () => {
    expect(visibleText('a\nb\rc\td\x00e\x7ff\x85g\x9fh')).toBe(
      'a\\nb\\rc\\td\\x00e\\x7ff\\x85g\\x9fh',
    );
  });

  it('writes every bidi control and the line and paragraph separators as \\uHHHH', () => {
    const bidi = '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c';

    expect(visibleText(`${bidi}\u2028\u2029`)).toBe(
      '\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c\\u2028\\u2029',
    );
  });

  it('doubles a literal backslash, so text that looks like an escape stays told apart from one', () => {
    expect(visibleText('C:\\x1b is a path')).toBe('C:\\\\x1b is a path');
    expect(visibleText('\x1b')).not.toBe(visibleText('\\x1b'));
  });

  it('writes a lone surrogate as \\uHHHH and keeps a surrogate pair (an emoji) as it is', () => {
    expect(visibleText('a\ud800b\udc00c')).toBe('a\\ud800b\\udc00c');
    expect(visibleText('deploy 🚀 done')).toBe('deploy 🚀 done');
  });

  it('keeps ordinary text, accents and right-to-left scripts without controls unchanged, as the same string', () => {
    const text = 'Essential container in task exited: café, שלום, مرحبا';

    expect(visibleText(text)).toBe(text);
  });

  it('leaves no control, bidi control or lone surrogate in any string, and reads back to the original', () => {
    const anyText = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.string({
        unit: fc.constantFrom('\\', 'x', 'u', '1', 'b', 'n', '\n', '\x1b', '\u202e', '\ud800'),
        maxLength: 30,
      }),
    );

    fc.assert(
      fc.property(anyText, (text) => {
        const shown = visibleText(text);

        expect(hasRawControl(shown)).toBe(false);
        expect(readVisibleText(shown)).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('visibleLines', () => {
  it('keeps the line breaks of text made of lines and escapes everything else in each line', () => {
    expect(
      visibleLines("error: unknown option '--x\x1b[2J\r'\n(run with --help for usage)\n"),
    ).toBe("error: unknown option '--x\\x1b[2J\\r'\n(run with --help for usage)\n");
  });
});
