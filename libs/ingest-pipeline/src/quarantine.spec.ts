import { describeProblems, mapEvent } from '@ecslog/ecs-event-mapper';
import fc from 'fast-check';
import type { QuarantineEntry } from './quarantine';
import { parseQuarantineEntry, stringifyQuarantineEntry } from './quarantine';

/** What the Kinesis handler holds for an input the mapper finds invalid. */
function entryFor(payload: unknown, origin: QuarantineEntry['origin']): QuarantineEntry {
  const result = mapEvent(payload);
  if (result.kind !== 'invalid') throw new Error('expected an invalid input');
  return {
    source: 'kinesis',
    receivedAt: '2026-11-21T00:00:00.000Z',
    reason: describeProblems(result.problems),
    problems: result.problems,
    payload,
    payloadEncoding: 'json',
    origin,
  };
}

describe('stringifyQuarantineEntry', () => {
  it('keeps a 3-byte {} in ≤ 160 bytes besides the input, its position and its problem', () => {
    const position = 'events.ndjson:1';
    const entry = entryFor({}, { position });
    const problemText = entry.problems.map((p) => p.path + p.message).join('');

    const line = stringifyQuarantineEntry(entry);

    // `{}` and its newline used to become a 637-byte entry: the problem twice, the Kinesis ids.
    expect(
      Buffer.byteLength(line) - '{}'.length - position.length - problemText.length,
    ).toBeLessThanOrEqual(160);
    expect(Buffer.byteLength(line) - position.length).toBeLessThanOrEqual(220);
    expect(line).not.toContain('"reason"');
    expect(line.split('{}')).toHaveLength(2); // the input is there once
  });

  it('keeps a reason that is not just the problems in one line', () => {
    const entry = { ...entryFor({}, {}), reason: 'too large for DynamoDB (400 KB)' };

    expect(parseQuarantineEntry(stringifyQuarantineEntry(entry))).toEqual(entry);
  });

  it('writes a payload nested 100,000 levels deep, which JSON.stringify cannot', () => {
    let deep: unknown = 'core';
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    const entry = entryFor(deep, {});
    expect(entry.reason).toBe('is nested deeper than 64 levels');

    const line = stringifyQuarantineEntry(entry);

    expect(line).toContain(`"payload":${'['.repeat(100_000)}"core"${']'.repeat(100_000)}`);
    expect(line).not.toContain('\n');
  });

  it('reads back every entry it writes, reason included', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.array(fc.record({ path: fc.string(), message: fc.string() }), { maxLength: 3 }),
        fc.option(fc.string(), { nil: undefined }),
        (payload, problems, otherReason) => {
          const entry: QuarantineEntry = {
            source: 'eventbridge',
            receivedAt: '2026-11-21T00:00:00.000Z',
            reason: otherReason ?? describeProblems(problems),
            problems,
            payload,
            payloadEncoding: 'json',
            origin: { eventId: 'e1' },
          };

          const read = parseQuarantineEntry(stringifyQuarantineEntry(entry));

          expect(read).toEqual(JSON.parse(JSON.stringify(entry)));
        },
      ),
    );
  });
});
