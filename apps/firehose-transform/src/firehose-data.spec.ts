import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { decodeFirehoseData } from './firehose-data';
import { toBase64 } from './testing';

describe('decodeFirehoseData', () => {
  it('parses base64 UTF-8 JSON, with or without a byte-order mark', () => {
    expect(decodeFirehoseData(toBase64('{"a":"é"}'))).toEqual({ kind: 'json', value: { a: 'é' } });
    expect(decodeFirehoseData(toBase64('\ufeff[1]'))).toEqual({ kind: 'json', value: [1] });
  });

  it.each([
    ['a character outside the alphabet', 'eyJh!jox'],
    ['a length that is not a multiple of 4', 'eyJhIjoxfQ'],
    ['whitespace', 'eyJh Ijox fQ=='],
    ['padding in the middle', 'eyJh==oxfQ=='],
    ['three padding characters', 'eyJhIjoxf==='],
  ])('rejects base64 with %s, which Buffer would silently skip', (_, data) => {
    expect(decodeFirehoseData(data)).toEqual({
      kind: 'unreadable',
      problem: 'not-base64',
      reason: `data is not base64 (${data.length} characters)`,
    });
  });

  it('says why other data is unreadable, without quoting it', () => {
    const gzipped = gzipSync('{"secret":"s3cr3t"}');
    expect(decodeFirehoseData(toBase64(gzipped))).toEqual({
      kind: 'unreadable',
      problem: 'not-utf8',
      reason: `data is not UTF-8 text (${gzipped.length} bytes)`,
    });
    expect(decodeFirehoseData(toBase64('password=s3cr3t'))).toEqual({
      kind: 'unreadable',
      problem: 'not-json',
      reason: 'data is not JSON (15 bytes of UTF-8 text)',
    });
    expect(decodeFirehoseData('')).toMatchObject({ problem: 'not-json' });
  });

  it('reads any JSON value that was base64-encoded, in either alphabet', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, urlSafe) => {
        const base64 = toBase64(JSON.stringify(value));
        const data = urlSafe ? base64.replace(/\+/g, '-').replace(/\//g, '_') : base64;
        expect(decodeFirehoseData(data)).toEqual({
          kind: 'json',
          value: JSON.parse(JSON.stringify(value)),
        });
      }),
    );
  });

  it('rejects any base64 with one character replaced by one outside the alphabet', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 40 }),
        fc.nat(),
        fc.constantFrom('!', '.', ' ', '"', 'é', '\n', '\0'),
        (bytes, at, char) => {
          const base64 = toBase64(bytes);
          const index = at % base64.length;
          const data = base64.slice(0, index) + char + base64.slice(index + 1);
          expect(decodeFirehoseData(data)).toMatchObject({ problem: 'not-base64' });
        },
      ),
    );
  });
});
