/**
 * Splitting one input file into the events it holds, line by line. Pure: no I/O.
 *
 * A position names where an input came from, for people and for the quarantine file:
 * `events.ndjson:12` (a line), `log.json.gz: Records[3]`, `lookup.json: Events[0]`,
 * `batch.json: [2]` (an array element), or just `event.json` (the whole file).
 */
import { isUtf8 } from 'node:buffer';
import {
  isNestedDeeperThan,
  MAX_EVENT_DEPTH,
  nestedTooDeep,
  stringifyAnyDepth,
  stringifyJson,
} from '@ecslog/ecs-event-mapper';

/** One input to map: a parsed JSON value and where it came from. */
export interface EventValue {
  position: string;
  value: unknown;
}

/**
 * Input that cannot be mapped as it is (not JSON, not UTF-8, nested too deep, too long): kept
 * as read so that it can be quarantined rather than lost. `text` is the original text, or with
 * `encoding: 'base64'` the original bytes in base64.
 */
export interface EventProblem {
  position: string;
  problem: string;
  text: string;
  encoding?: 'base64';
}

export type EventInput = EventValue | EventProblem;

export const isEventProblem = (input: EventInput): input is EventProblem => 'problem' in input;

/** The input's bytes as read (a parsed value written out again as compact JSON). */
export function inputBytes(input: EventInput): Buffer {
  if (!isEventProblem(input)) return Buffer.from(stringifyJson(input.value), 'utf8');
  return Buffer.from(input.text, input.encoding === 'base64' ? 'base64' : 'utf8');
}

/** How much of a file is held in memory at once. */
export interface SplitLimits {
  /**
   * The largest JSON document (a CloudTrail log file, an array) read whole, and the longest line;
   * NDJSON files of any size are read line by line.
   */
  maxDocumentBytes: number;
}

/** 128 MiB: CloudTrail log files are a few MB; V8 cannot hold a string of more than 512 MiB. */
export const DEFAULT_MAX_DOCUMENT_BYTES = 128 * 1024 * 1024;

/** How much of a line longer than the limit is kept, to show what it was: 64 KiB at most. */
export const keptBytes = (maxLineBytes: number): number => Math.min(64 * 1024, maxLineBytes);

/** One line of a file, without its `\n`; `overlong` when it was longer than the limit (cut). */
export interface FileLine {
  bytes: Buffer;
  number: number;
  overlong?: boolean;
}

/**
 * Splits one file, fed line by line, into inputs for `mapEvent`. Accepts a JSON object (one
 * event), a JSON array (each element), a CloudTrail log file `{"Records": […]}`, a LookupEvents
 * response `{"Events": […]}` (each Event, which `mapEvent` unwraps), or NDJSON (each non-empty
 * line). NDJSON is recognised as soon as it can be — a first line that is JSON by itself, or two
 * lines in a row that are JSON objects — so it streams; anything else is held (up to
 * `maxDocumentBytes`) and read as one document at the end. Never throws: each line that cannot be
 * mapped is an {@link EventProblem} with its line number; `failure` says why the file cannot be
 * read at all.
 *
 * @example
 * const split = createEventSplitter('events.ndjson');
 * split.line({ bytes: Buffer.from('{"a":1}'), number: 1 }); // [] (held: one line may be a document)
 * split.line({ bytes: Buffer.from('{"b":2}'), number: 2 }); // events.ndjson:1 and :2
 */
export function createEventSplitter(
  source: string,
  { maxDocumentBytes }: SplitLimits = { maxDocumentBytes: DEFAULT_MAX_DOCUMENT_BYTES },
) {
  type Held = { line: FileLine; parsed: Parsed | undefined };
  let mode: 'first' | 'one-line' | 'undecided' | 'ndjson' | 'failed' = 'first';
  let held: Held[] = [];
  let heldBytes = 0;
  let failure: string | undefined;

  /** The lines held so far, as NDJSON inputs. */
  const releaseAsNdjson = (): EventInput[] => {
    mode = 'ndjson';
    const inputs = held.map(({ line, parsed }) =>
      ndjsonInput(line, parsed, source, maxDocumentBytes),
    );
    held = [];
    heldBytes = 0;
    return inputs;
  };

  return {
    line(line: FileLine): EventInput[] {
      const bytes = withoutBom(line);
      if (isBlank(bytes) || mode === 'failed') return [];
      const current = { ...line, bytes };
      if (mode === 'ndjson') return [ndjsonInput(current, undefined, source, maxDocumentBytes)];
      if (line.overlong)
        return [...releaseAsNdjson(), ndjsonInput(current, undefined, source, maxDocumentBytes)];

      const parsed = parseLine(current);
      if (mode === 'first') {
        held = [{ line: current, parsed }];
        heldBytes = bytes.length;
        // A first line that is JSON by itself cannot start a document of several lines.
        mode = parsed?.ok ? 'one-line' : 'undecided';
        return [];
      }
      if (mode === 'one-line')
        return [...releaseAsNdjson(), ndjsonInput(current, parsed, source, maxDocumentBytes)];

      // Undecided: a pretty-printed document, or NDJSON whose first line is broken.
      const previous = held.at(-1);
      held.push({ line: current, parsed });
      heldBytes += bytes.length + 1;
      // Two objects on consecutive lines with no comma between them are no JSON document.
      if (isObjectLine(parsed) && previous && isObjectLine(previous.parsed))
        return releaseAsNdjson();
      if (heldBytes > maxDocumentBytes) {
        if (held.some((h) => isObjectLine(h.parsed))) return releaseAsNdjson();
        mode = 'failed';
        failure = `is not NDJSON, and larger than the ${describeBytes(maxDocumentBytes)} a JSON document may be`;
        held = [];
      }
      return [];
    },

    /** The end of the file: what was held. */
    end(): EventInput[] {
      if (mode === 'one-line') {
        const [{ line, parsed } = { line: undefined, parsed: undefined }] = held;
        held = [];
        return parsed?.ok && line
          ? splitDocument(parsed.value, source, () => line.bytes.toString('utf8'))
          : [];
      }
      if (mode !== 'undecided') return [];
      const lines = held;
      held = [];
      if (lines.every((h) => isUtf8(h.line.bytes))) {
        const text = lines.map((h) => h.line.bytes.toString('utf8')).join('\n');
        const document = parseJson(text);
        if (document.ok) return splitDocument(document.value, source, () => text);
        // A malformed JSON document (truncated, a typo) is not NDJSON: reporting each of its
        // lines would bury the one real error. NDJSON has at least one line that is an event.
        if (!lines.some((h) => isObjectLine(h.parsed)))
          return [
            { position: source, problem: `is not JSON or NDJSON: ${document.message}`, text },
          ];
      } else if (!lines.some((h) => isObjectLine(h.parsed))) {
        const bytes = Buffer.concat(
          lines.flatMap((h, i) => (i ? [NEWLINE, h.line.bytes] : [h.line.bytes])),
        );
        return [{ position: source, ...notUtf8(bytes) }];
      }
      return lines.map(({ line, parsed }) => ndjsonInput(line, parsed, source, maxDocumentBytes));
    },

    /** Why the rest of the file cannot be read, once it cannot. */
    get failure(): string | undefined {
      return failure;
    },
  };
}

export type EventSplitter = ReturnType<typeof createEventSplitter>;

/**
 * Splits a whole file's text (see {@link createEventSplitter}). Never throws.
 *
 * @example
 * splitEventInputs('{"a":1}\n{"b":2}\n', 'events.ndjson');
 * // [{ position: 'events.ndjson:1', value: { a: 1 } }, { position: 'events.ndjson:2', value: { b: 2 } }]
 */
export function splitEventInputs(text: string, source: string): EventInput[] {
  const split = createEventSplitter(source);
  const inputs = text
    .split('\n')
    .flatMap((line, index) => split.line({ bytes: Buffer.from(line, 'utf8'), number: index + 1 }));
  return [...inputs, ...split.end()];
}

const NEWLINE = Buffer.from('\n');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function withoutBom(line: FileLine): Buffer {
  return line.number === 1 && line.bytes.subarray(0, 3).equals(BOM)
    ? line.bytes.subarray(3)
    : line.bytes;
}

function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  return true;
}

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

/** A line as JSON; undefined when it is not UTF-8. */
function parseLine(line: FileLine): Parsed | undefined {
  return isUtf8(line.bytes) ? parseJson(line.bytes.toString('utf8')) : undefined;
}

function isObjectLine(parsed: Parsed | undefined): boolean {
  return parsed?.ok === true && isJsonObject(parsed.value);
}

/** One NDJSON line as an input: its value, or what is wrong with it, kept as read. */
function ndjsonInput(
  line: FileLine,
  known: Parsed | undefined,
  source: string,
  maxLineBytes: number,
): EventInput {
  const position = `${source}:${line.number}`;
  // Kept text leaves out the \r of a CRLF line end, as it does the \n.
  const bytes = line.bytes.at(-1) === 0x0d ? line.bytes.subarray(0, -1) : line.bytes;
  if (line.overlong)
    return {
      position,
      problem: `is a line longer than ${describeBytes(maxLineBytes)}, the limit (its first ${describeBytes(keptBytes(maxLineBytes))} kept)`,
      ...keptText(bytes.subarray(0, keptBytes(maxLineBytes))),
    };
  if (!isUtf8(bytes)) return { position, ...notUtf8(bytes) };
  const text = bytes.toString('utf8');
  const parsed = known ?? parseJson(text);
  if (!parsed.ok) return { position, problem: `is not JSON: ${parsed.message}`, text };
  if (isNestedDeeperThan(parsed.value, MAX_EVENT_DEPTH))
    return { position, problem: nestedTooDeep(), text };
  return { position, value: parsed.value };
}

function notUtf8(bytes: Buffer): Omit<EventProblem, 'position'> {
  return {
    problem: 'is not UTF-8 text (kept as base64)',
    text: bytes.toString('base64'),
    encoding: 'base64',
  };
}

function keptText(kept: Buffer): Pick<EventProblem, 'text' | 'encoding'> {
  return isUtf8(kept)
    ? { text: kept.toString('utf8') }
    : { text: kept.toString('base64'), encoding: 'base64' };
}

/** `text` gives the document's own text: kept as it is when the document itself is the input. */
function splitDocument(document: unknown, source: string, text: () => string): EventInput[] {
  if (Array.isArray(document)) return elements(document, `${source}: `, '');
  if (isJsonObject(document)) {
    // A log file or LookupEvents response is a container, never an event itself.
    if (Array.isArray(document['Records']))
      return elements(document['Records'], `${source}: `, 'Records');
    if (Array.isArray(document['Events']))
      return elements(document['Events'], `${source}: `, 'Events');
  }
  return isNestedDeeperThan(document, MAX_EVENT_DEPTH)
    ? [{ position: source, problem: nestedTooDeep(), text: text() }]
    : [{ position: source, value: document }];
}

function elements(values: unknown[], prefix: string, name: string): EventInput[] {
  return values.map((value, index) => documentInput(`${prefix}${name}[${index}]`, value));
}

/** An element nested too deep is kept as compact JSON: the same value, not the same spacing. */
function documentInput(position: string, value: unknown): EventInput {
  return isNestedDeeperThan(value, MAX_EVENT_DEPTH)
    ? { position, problem: nestedTooDeep(), text: stringifyAnyDepth(value) }
    : { position, value };
}

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

/** `128 MiB`, `64 KiB`, `1 GiB`, or bytes. */
export function describeBytes(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ] as const)
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  return `${bytes} bytes`;
}
