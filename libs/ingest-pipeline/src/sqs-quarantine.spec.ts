import fc from 'fast-check';
import type { QuarantineEntry } from './quarantine';
import { parseQuarantineEntry } from './quarantine';
import type { QuarantinePart } from './sqs-quarantine';
import { reassembleQuarantineEntry, toQuarantineMessages } from './sqs-quarantine';

const entry = (payload: unknown, reason = 'detail.taskArn: is required'): QuarantineEntry => ({
  source: 'kinesis',
  receivedAt: '2026-11-21T00:00:00.000Z',
  reason,
  problems: [{ path: 'detail.taskArn', message: 'is required' }],
  payload,
  payloadEncoding: typeof payload === 'string' ? 'utf8' : 'json',
  origin: { partitionKey: 'k', sequenceNumber: '4965' },
});

describe('toQuarantineMessages', () => {
  it('sends an entry that fits as one message: the entry as JSON', () => {
    const e = entry({ id: 'e1', detail: { version: 'seven' } });
    const bodies = toQuarantineMessages(e, 1_048_576);
    expect(bodies).toHaveLength(1);
    expect(parseQuarantineEntry(bodies[0] as string)).toEqual(e);
  });

  it('splits a larger entry into parts under the limit, each naming the entry', () => {
    const e = entry('x'.repeat(5_000));
    const bodies = toQuarantineMessages(e, 2_000);
    expect(bodies.length).toBeGreaterThan(2);
    for (const [i, body] of bodies.entries()) {
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(2_000);
      const part = JSON.parse(body) as QuarantinePart;
      expect(part.ecslogQuarantinePart).toMatchObject({ index: i + 1, count: bodies.length });
      expect(part).toMatchObject({ source: 'kinesis', reason: e.reason, origin: e.origin });
    }
    expect(reassembleQuarantineEntry([...bodies].reverse())).toEqual(e);
  });

  it('escapes U+FFFE and U+FFFF, which SQS rejects, without changing the JSON', () => {
    const e = entry('text with \uFFFF and \uFFFE and \u0000');
    const [body] = toQuarantineMessages(e, 1_048_576);
    expect(body).not.toMatch(/[\uFFFE\uFFFF]/);
    expect(body).not.toContain('\u0000');
    expect(parseQuarantineEntry(body as string)).toEqual(e);
  });

  it('refuses to reassemble an incomplete or corrupted set of parts', () => {
    const bodies = toQuarantineMessages(entry('y'.repeat(3_000)), 1_000);
    expect(() => reassembleQuarantineEntry(bodies.slice(1))).toThrow(/parts 1 of \d+ missing/);
    const tampered = JSON.parse(bodies[0] as string) as QuarantinePart;
    tampered.data = Buffer.from('z'.repeat(30)).toString('base64');
    expect(() => reassembleQuarantineEntry([JSON.stringify(tampered), ...bodies.slice(1)])).toThrow(
      /checksum/,
    );
  });

  it('never loses or reorders a byte, and never exceeds the limit', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 3_000 }), fc.jsonValue()),
        fc.string({ maxLength: 2_000 }),
        fc.integer({ min: 1_500, max: 4_000 }),
        (payload, reason, limit) => {
          const e = entry(payload, reason);
          const bodies = toQuarantineMessages(e, limit);
          for (const body of bodies) {
            expect(Buffer.byteLength(body)).toBeLessThanOrEqual(limit);
            expect(body).not.toMatch(/[\uFFFE\uFFFF]/);
          }
          expect(reassembleQuarantineEntry(bodies)).toEqual(JSON.parse(JSON.stringify(e)));
        },
      ),
      { numRuns: 100 },
    );
  });
});
