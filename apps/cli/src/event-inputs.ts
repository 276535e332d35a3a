/**
 * Splitting the text of one input file into the events it holds. Pure: no I/O.
 *
 * A position names where an input came from, for people and for the quarantine file:
 * `events.ndjson:12` (a line), `log.json.gz: Records[3]`, `lookup.json: Events[0]`,
 * `batch.json: [2]` (an array element), or just `event.json` (the whole file).
 */

/** One input to map: a parsed JSON value and where it came from. */
export interface EventValue {
  position: string;
  value: unknown;
}

/** Text that is not JSON: kept verbatim so it can be quarantined rather than lost. */
export interface EventProblem {
  position: string;
  problem: string;
  text: string;
}

export type EventInput = EventValue | EventProblem;

export const isEventProblem = (input: EventInput): input is EventProblem => 'problem' in input;

/**
 * Splits a file's text into inputs for `mapEvent`. Accepts a JSON object (one event), a JSON
 * array (each element), a CloudTrail log file `{"Records": […]}`, a CloudTrail LookupEvents
 * response `{"Events": […]}` (each Event, which `mapEvent` unwraps), or NDJSON (each non-empty
 * line). An empty file holds no inputs. Never throws.
 *
 * @example
 * splitEventInputs('{"a":1}\n{"b":2}\n', 'events.ndjson');
 * // [{ position: 'events.ndjson:1', value: { a: 1 } }, { position: 'events.ndjson:2', value: { b: 2 } }]
 */
export function splitEventInputs(text: string, source: string): EventInput[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') return [];

  const document = parseJson(body);
  if (document.ok) return splitDocument(document.value, source);

  const lines = splitNdjson(body, source);
  // A malformed JSON document (truncated, pretty-printed with a typo) is not NDJSON: reporting
  // each of its lines would bury the one real error. NDJSON has at least one line that is an event.
  const looksLikeNdjson = lines.some((line) => !isEventProblem(line) && isJsonObject(line.value));
  if (looksLikeNdjson) return lines;
  return [{ position: source, problem: `is not JSON or NDJSON: ${document.message}`, text: body }];
}

function splitDocument(document: unknown, source: string): EventInput[] {
  if (Array.isArray(document)) return elements(document, `${source}: `, '');
  if (isJsonObject(document)) {
    // A log file or LookupEvents response is a container, never an event itself.
    if (Array.isArray(document['Records']))
      return elements(document['Records'], `${source}: `, 'Records');
    if (Array.isArray(document['Events']))
      return elements(document['Events'], `${source}: `, 'Events');
  }
  return [{ position: source, value: document }];
}

function elements(values: unknown[], prefix: string, name: string): EventValue[] {
  return values.map((value, index) => ({ position: `${prefix}${name}[${index}]`, value }));
}

function splitNdjson(body: string, source: string): EventInput[] {
  const inputs: EventInput[] = [];
  body.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const position = `${source}:${index + 1}`;
    const parsed = parseJson(line);
    inputs.push(
      parsed.ok
        ? { position, value: parsed.value }
        : { position, problem: `is not JSON: ${parsed.message}`, text: line },
    );
  });
  return inputs;
}

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

function parseJson(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
