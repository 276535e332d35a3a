import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { ecsInputArb, fixturePath } from '@ecslog/ecs-event-mapper/testing';
import type { EventInput } from './event-inputs';
import { isEventProblem, splitEventInputs } from './event-inputs';

const fixture = (name: string) => readFileSync(fixturePath(name), 'utf8');

const values = (inputs: EventInput[]) =>
  inputs.map((input) => ('value' in input ? input.value : input));

describe('splitEventInputs', () => {
  it('reads a JSON object as one event positioned at the file', () => {
    const text = fixture('eventbridge/task-stopped-oom.json');

    const inputs = splitEventInputs(text, 'oom.json');

    expect(inputs).toEqual([{ position: 'oom.json', value: JSON.parse(text) }]);
  });

  it('reads each element of a JSON array', () => {
    const inputs = splitEventInputs('[{"a":1}, {"b":2}, 3]', 'batch.json');

    expect(inputs).toEqual([
      { position: 'batch.json: [0]', value: { a: 1 } },
      { position: 'batch.json: [1]', value: { b: 2 } },
      { position: 'batch.json: [2]', value: 3 },
    ]);
  });

  it('reads each record of a CloudTrail log file', () => {
    const text = fixture('cloudtrail/log-file.json');
    const { Records } = JSON.parse(text) as { Records: unknown[] };

    const inputs = splitEventInputs(text, 'log.json.gz');

    expect(inputs.map((input) => input.position)).toEqual(
      Records.map((_, index) => `log.json.gz: Records[${index}]`),
    );
    expect(values(inputs)).toEqual(Records);
  });

  it('reads each Event of a LookupEvents response as it is, for mapEvent to unwrap', () => {
    const text = fixture('cloudtrail/lookup-events-response.json');
    const { Events } = JSON.parse(text) as { Events: Array<{ CloudTrailEvent: string }> };

    const inputs = splitEventInputs(text, 'lookup.json');

    expect(inputs).toHaveLength(3);
    expect(inputs[1]).toEqual({ position: 'lookup.json: Events[1]', value: Events[1] });
    expect(typeof Events[1]?.CloudTrailEvent).toBe('string');
  });

  it('reads each non-empty NDJSON line, numbering lines from 1 and skipping blank ones', () => {
    const text = '{"a":1}\r\n\n  \n{"b":2}\n';

    const inputs = splitEventInputs(text, 'events.ndjson');

    expect(inputs).toEqual([
      { position: 'events.ndjson:1', value: { a: 1 } },
      { position: 'events.ndjson:4', value: { b: 2 } },
    ]);
  });

  it('reports an NDJSON line that is not JSON with the parser message, and keeps the other lines', () => {
    const text = '{"a":1}\n{"b":\n{"c":3}\n';

    const inputs = splitEventInputs(text, 'events.ndjson');

    expect(inputs).toHaveLength(3);
    expect(inputs[0]).toEqual({ position: 'events.ndjson:1', value: { a: 1 } });
    expect(inputs[1]).toMatchObject({ position: 'events.ndjson:2', text: '{"b":' });
    expect((inputs[1] as { problem: string }).problem).toMatch(/^is not JSON: .*JSON/);
    expect(inputs[2]).toEqual({ position: 'events.ndjson:3', value: { c: 3 } });
  });

  it('reports a bad first NDJSON line without losing the lines after it', () => {
    const inputs = splitEventInputs('not json\n{"a":1}\n', 'events.ndjson');

    expect(inputs.map((input) => [input.position, isEventProblem(input)])).toEqual([
      ['events.ndjson:1', true],
      ['events.ndjson:2', false],
    ]);
  });

  it('reports a malformed JSON document once, not once per line', () => {
    const text = fixture('eventbridge/task-stopped-oom.json').slice(0, 200);

    const inputs = splitEventInputs(text, 'truncated.json');

    expect(inputs).toEqual([
      {
        position: 'truncated.json',
        problem: expect.stringMatching(/^is not JSON or NDJSON: /),
        text,
      },
    ]);
  });

  it('reads an empty or blank file as no inputs', () => {
    expect(splitEventInputs('', 'empty.json')).toEqual([]);
    expect(splitEventInputs('\n \r\n', 'blank.ndjson')).toEqual([]);
    expect(splitEventInputs('\uFEFF', 'bom-only.json')).toEqual([]);
  });

  it('tolerates a UTF-8 byte-order mark before a JSON document or NDJSON', () => {
    expect(splitEventInputs('\uFEFF{"a":1}', 'bom.json')).toEqual([
      { position: 'bom.json', value: { a: 1 } },
    ]);
    expect(splitEventInputs('\uFEFF{"a":1}\n{"b":2}', 'bom.ndjson')).toEqual([
      { position: 'bom.ndjson:1', value: { a: 1 } },
      { position: 'bom.ndjson:2', value: { b: 2 } },
    ]);
  });

  it('passes a JSON value that is not an object on as an input, for mapEvent to judge', () => {
    expect(splitEventInputs('"just a string"', 'string.json')).toEqual([
      { position: 'string.json', value: 'just a string' },
    ]);
  });

  describe('properties', () => {
    // Realistic ECS inputs and arbitrary JSON objects. Arbitrary ones never use the container
    // keys Records and Events, which (rightly) make a one-line NDJSON file a log file or a
    // LookupEvents response. The seed comes from tools/jest (FC_SEED).
    const anyObject = fc.dictionary(
      fc.string().map((key) => (key === 'Records' || key === 'Events' ? `_${key}` : key)),
      fc.jsonValue(),
      { maxKeys: 6 },
    );
    const eventObject = fc.oneof(ecsInputArb, anyObject);

    it('yields the same values in the same order from an array, NDJSON and {"Records": …}', () => {
      fc.assert(
        fc.property(fc.array(eventObject, { maxLength: 8 }), (events) => {
          const asArray = JSON.stringify(events);
          const asNdjson = events.map((event) => `${JSON.stringify(event)}\n`).join('');
          const asLogFile = JSON.stringify({ Records: events });
          // JSON.stringify drops -0 and the like; the round trip is the value each form holds.
          const expected = JSON.parse(asArray) as unknown[];

          for (const text of [asArray, asNdjson, asLogFile]) {
            const inputs = splitEventInputs(text, 'prop.json');
            expect(inputs.some(isEventProblem)).toBe(false);
            expect(values(inputs)).toEqual(expected);
          }
        }),
      );
    });
  });
});
