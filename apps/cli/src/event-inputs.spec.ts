import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { ecsInputArb, fixturePath } from '@ecslog/ecs-event-mapper/testing';
import type { EventInput } from './event-inputs';
import { createEventSplitter, inputBytes, isEventProblem, splitEventInputs } from './event-inputs';

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

  it('keeps an array element nested too deep as compact JSON, and reads the others', () => {
    const deep = `${'['.repeat(5_000)}1${']'.repeat(5_000)}`;

    const inputs = splitEventInputs(`[{"a":1},\n  ${deep}\n]`, 'batch.json');

    expect(inputs).toEqual([
      { position: 'batch.json: [0]', value: { a: 1 } },
      { position: 'batch.json: [1]', problem: 'is nested deeper than 64 levels', text: deep },
    ]);
  });

  it('keeps a one-line file nested too deep as its own text', () => {
    const text = `{ "detail": ${'{"a":'.repeat(100)}1${'}'.repeat(100)} }`;

    expect(splitEventInputs(text, 'deep.json')).toEqual([
      { position: 'deep.json', problem: 'is nested deeper than 64 levels', text },
    ]);
  });

  it('streams NDJSON as soon as two lines in a row are objects, even after a broken first line', () => {
    const split = createEventSplitter('events.ndjson');
    const line = (text: string, number: number) => split.line({ bytes: Buffer.from(text), number });

    expect(line('{"broken":', 1)).toEqual([]);
    expect(line('{"a":1}', 2)).toEqual([]);
    // No JSON document has two objects on consecutive lines without a comma: this is NDJSON.
    expect(line('{"b":2}', 3).map((input) => input.position)).toEqual([
      'events.ndjson:1',
      'events.ndjson:2',
      'events.ndjson:3',
    ]);
    expect(line('{"c":3}', 4)).toEqual([{ position: 'events.ndjson:4', value: { c: 3 } }]);
    expect(split.end()).toEqual([]);
  });

  it('gives back the bytes an input was read from, a line not UTF-8 included', () => {
    const latin1 = Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d]); // {"é"} in Latin-1

    const inputs = splitEventInputs('', 'x.ndjson'); // an empty file: nothing
    const split = createEventSplitter('x.ndjson');
    inputs.push(
      ...split.line({ bytes: latin1, number: 1 }),
      ...split.line({ bytes: Buffer.from('{"a":1}'), number: 2 }),
      ...split.line({ bytes: Buffer.from('{"b":2}'), number: 3 }),
      ...split.end(),
    );

    expect(inputs.map((input) => input.position)).toEqual([
      'x.ndjson:1',
      'x.ndjson:2',
      'x.ndjson:3',
    ]);
    expect(inputs[0]).toMatchObject({
      problem: 'is not UTF-8 text (kept as base64)',
      encoding: 'base64',
    });
    expect(inputs.map((input) => inputBytes(input))).toEqual([
      latin1,
      Buffer.from('{"a":1}'),
      Buffer.from('{"b":2}'),
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
