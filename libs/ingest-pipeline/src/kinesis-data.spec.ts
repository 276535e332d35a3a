import fc from 'fast-check';
import { decodeKinesisData } from './kinesis-data';

const base64 = (text: string | Uint8Array) =>
  (typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text)).toString('base64');

describe('decodeKinesisData', () => {
  it('parses JSON data', () => {
    expect(decodeKinesisData(base64('{"source":"aws.ecs","detail":{}}'))).toEqual({
      kind: 'json',
      value: { source: 'aws.ecs', detail: {} },
    });
  });

  it('keeps text that is not JSON as the raw string, with the parse error', () => {
    const decoded = decodeKinesisData(base64('ECS task stopped (exit 137)'));
    expect(decoded).toMatchObject({
      kind: 'not-json',
      payload: 'ECS task stopped (exit 137)',
      payloadEncoding: 'utf8',
      problem: { path: 'kinesis.data' },
    });
    if (decoded.kind === 'not-json') expect(decoded.problem.message).toMatch(/^is not JSON: /);
  });

  it('keeps data that is not UTF-8 (a KPL aggregated record) as the original base64', () => {
    const kplMagic = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2, 0x0a, 0x01, 0x61);
    expect(decodeKinesisData(base64(kplMagic))).toEqual({
      kind: 'not-json',
      payload: base64(kplMagic),
      payloadEncoding: 'base64',
      problem: { path: 'kinesis.data', message: 'is not UTF-8 text (kept as base64)' },
    });
  });

  it('reads JSON after a byte-order mark, and keeps the mark in text that is not JSON', () => {
    expect(decodeKinesisData(base64('\uFEFF{"a":1}'))).toEqual({ kind: 'json', value: { a: 1 } });
    expect(decodeKinesisData(base64('\uFEFFnot json'))).toMatchObject({
      payload: '\uFEFFnot json',
    });
  });

  it('keeps JSON nested deeper than the mapper reads as its raw text, never as a value', () => {
    const text = `{"source":"aws.ecs","detail":${'['.repeat(5_000)}${']'.repeat(5_000)}}`;

    expect(decodeKinesisData(base64(text))).toEqual({
      kind: 'not-json',
      payload: text,
      payloadEncoding: 'utf8',
      problem: { path: '', message: 'is nested deeper than 64 levels' },
    });
  });

  it('treats empty data as not JSON', () => {
    expect(decodeKinesisData('')).toMatchObject({ kind: 'not-json', payload: '' });
  });

  it('always gives back every JSON value it was sent', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const decoded = decodeKinesisData(base64(JSON.stringify(value)));
        expect(decoded).toEqual({ kind: 'json', value: JSON.parse(JSON.stringify(value)) });
      }),
    );
  });

  it('never loses data: what is not JSON comes back byte for byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const data = base64(bytes);
        const decoded = decodeKinesisData(data);
        if (decoded.kind === 'json') return; // some byte strings are JSON text
        const original =
          decoded.payloadEncoding === 'base64'
            ? Buffer.from(decoded.payload, 'base64')
            : Buffer.from(decoded.payload, 'utf8');
        expect(original.equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });
});
