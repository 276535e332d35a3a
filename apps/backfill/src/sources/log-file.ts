/**
 * Reading one CloudTrail log file — `{"Records":[…]}`, gzip-compressed or not — into source
 * records, and reading many in a stable order with bounded read-ahead. Damage in a file (corrupt
 * gzip, JSON that does not parse, no `Records`) is a `problem` of that file, never a throw; only a
 * failing body stream (the disk or the network, not the content) rejects, with a
 * {@link LogFileReadError}, so the caller can retry or stop.
 *
 * @example
 * const { records, problem, bytes } = await readLogFile(path, createReadStream(path));
 */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { SourceChunk, SourceRecord } from '../backfill-source';
import { BackfillSetupError } from '../backfill-source';

export interface LogFileContent {
  /** The file's records, in file order; with a `problem`, those read safely before the damage. */
  records: SourceRecord[];
  /** What is wrong with the file, in one line. */
  problem?: string;
  /** Bytes read (the compressed size of a `.gz`). */
  bytes: number;
}

/** The body stream of a log file failed (an I/O error, not damage in the content). */
export class LogFileReadError extends Error {
  override readonly name = 'LogFileReadError';
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
  }
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
/**
 * Output chunk of the streaming gunzip. zlib's 16 KiB default costs a thread-pool round trip per
 * 16 KiB: gunzip took several times as long as gunzipSync on the benchmark's files; with 256 KiB
 * (a log file is typically a few hundred KiB unzipped) it comes within about a third. 1 MiB was
 * slower again (a fresh 1 MiB buffer per input chunk).
 */
const GUNZIP_CHUNK_BYTES = 256 * 1024;
const MAX_PROBLEM_LENGTH = 240;

/**
 * The records of one log file. Accepts what CloudTrail writes (`{"Records":[…]}`, gzip or plain)
 * and, as cheap extras, a bare JSON array of records or NDJSON (one record, or one
 * `{"Records":[…]}`, per line). Gunzips when the content starts with the gzip magic bytes,
 * whatever the name says.
 *
 * What is kept from a damaged file: records that parse completely before the point of damage
 * when that prefix is known to be the file's own bytes — a truncated `.gz` ("unexpected end of
 * file"), or plain JSON that stops parsing part-way; every line that parses in NDJSON. Nothing
 * from a `.gz` whose compressed data is corrupt (bad header, invalid block, checksum mismatch):
 * deflate has no checksum before the end, so output before such an error may already be wrong.
 *
 * Positions are `<name>: Records[<i>]` (`<name>: [<i>]` for a bare array, `<name>: line <n>`
 * for NDJSON), indices as in the file even when records are salvaged.
 */
export async function readLogFile(
  name: string,
  body: Readable | Uint8Array,
): Promise<LogFileContent> {
  // Not `instanceof Uint8Array`: a Buffer made by Node itself is of another realm under jest.
  const raw = ArrayBuffer.isView(body)
    ? await fromBuffer(body as Uint8Array)
    : await fromStream(name, body as Readable);
  if (raw.problem !== undefined && raw.text === undefined)
    return { records: [], problem: raw.problem, bytes: raw.bytes };
  const parsed = parseLogText(name, raw.text ?? '');
  const problem =
    raw.problem !== undefined
      ? `${raw.problem}: ${salvaged(parsed.records.length)}`
      : parsed.problem;
  return {
    records: parsed.records,
    bytes: raw.bytes,
    ...(problem !== undefined ? { problem: oneLine(problem) } : {}),
  };
}

/**
 * Results of `read` over `items`, in the items' order, with up to `concurrency` reads in flight:
 * reads run ahead while the consumer works on earlier results. A read that rejects ends the
 * iteration with its error; ending early (break, an error) aborts the signal given to the reads
 * still in flight and waits for them to settle.
 */
export async function* readInOrder<T, R>(
  items: readonly T[],
  concurrency: number,
  read: (item: T, signal: AbortSignal) => Promise<R>,
): AsyncGenerator<R> {
  const width = Math.max(1, Math.floor(concurrency));
  const controller = new AbortController();
  const inFlight: Promise<R>[] = [];
  let next = 0;
  const start = () => {
    const promise = read(items[next++] as T, controller.signal);
    // Awaited in order later; until then a rejection must not count as unhandled.
    promise.catch(() => undefined);
    inFlight.push(promise);
  };
  try {
    while (next < items.length && inFlight.length < width) start();
    while (inFlight.length > 0) {
      const result = await (inFlight.shift() as Promise<R>);
      if (next < items.length) start();
      yield result;
    }
  } finally {
    controller.abort();
    await Promise.allSettled(inFlight);
  }
}

/** A log file to read, in the order of `id`: an object key, a path relative to the folder. */
export interface LogFileEntry {
  /** Sorts the files and is the resume state: `{ after: id }`. */
  id: string;
  /** For messages and positions: `s3://bucket/key`, a path. */
  name: string;
}

/** The resume state of the log-file sources: every file up to and including `after` is stored. */
export interface LogFileResume {
  after: string;
}

/**
 * The chunks of `entries` (sorted by `id`) after the resume state, one per file, read by `read`
 * with up to `concurrency` files in flight and yielded in order, each with `{ after: id }`.
 */
export async function* logFileChunks<E extends LogFileEntry>(
  entries: readonly E[],
  resume: unknown,
  concurrency: number,
  read: (entry: E, signal: AbortSignal) => Promise<LogFileContent>,
): AsyncGenerator<SourceChunk> {
  const after = resumeAfter(resume);
  const todo = after === undefined ? entries : entries.filter((entry) => entry.id > after);
  let index = 0;
  for await (const content of readInOrder(todo, concurrency, read)) {
    const entry = todo[index++] as E;
    const resumeState: LogFileResume = { after: entry.id };
    yield { name: entry.name, ...content, resume: resumeState };
  }
}

/** `after` of a saved resume state; undefined to start from the beginning. */
export function resumeAfter(resume: unknown): string | undefined {
  if (resume === undefined || resume === null) return undefined;
  const after = (resume as { after?: unknown }).after;
  if (typeof resume === 'object' && typeof after === 'string') return after;
  throw new BackfillSetupError(
    `the checkpoint's resume state ${JSON.stringify(resume)} is not a log-file source's ({"after": "<file>"})`,
  );
}

/**
 * How far outside the window a file's delivery time may lie and the file still be read:
 * CloudTrail delivers a file minutes after its records, so one delivered just after `to` can hold
 * records from before it.
 */
export const DELIVERY_SLACK_MS = 60 * 60 * 1000;

const DELIVERY_TIME = /_CloudTrail_[^_/]+_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_[^/]*$/;

/** The delivery time in a CloudTrail log file's name (`…_CloudTrail_<region>_20261120T0305Z_…`). */
export function logFileDeliveredAt(name: string): Date | undefined {
  const match = DELIVERY_TIME.exec(name);
  if (!match) return undefined;
  const [, year, month, day, hour, minute] = match.map(Number) as number[];
  return new Date(Date.UTC(year as number, (month as number) - 1, day, hour, minute));
}

/**
 * Whether a file may hold records of the window: its name has no delivery time, or the time lies
 * within the window widened by {@link DELIVERY_SLACK_MS} on each side.
 */
export function deliveredInWindow(name: string, from?: Date, to?: Date): boolean {
  const delivered = logFileDeliveredAt(name)?.getTime();
  if (delivered === undefined) return true;
  if (from !== undefined && delivered < from.getTime() - DELIVERY_SLACK_MS) return false;
  if (to !== undefined && delivered > to.getTime() + DELIVERY_SLACK_MS) return false;
  return true;
}

/** The day folders (`YYYY/MM/DD`, UTC) that can hold the window's files: `from`'s day to `to` + slack. */
export function windowDayFolders(from: Date, to: Date): string[] {
  const days: string[] = [];
  const last = dayFolderOf(new Date(to.getTime() + DELIVERY_SLACK_MS));
  const day = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  for (let folder = dayFolderOf(day); folder <= last; folder = dayFolderOf(day)) {
    days.push(folder);
    day.setUTCDate(day.getUTCDate() + 1);
  }
  return days;
}

/** `YYYY/MM/DD` of an instant, UTC. */
export function dayFolderOf(instant: Date): string {
  return instant.toISOString().slice(0, 10).replaceAll('-', '/');
}

interface RawText {
  /** The decoded text; absent when nothing of the content can be trusted. */
  text?: string;
  problem?: string;
  bytes: number;
}

function isGzip(head: Uint8Array): boolean {
  return head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
}

async function fromBuffer(buffer: Uint8Array): Promise<RawText> {
  const bytes = buffer.byteLength;
  if (!isGzip(buffer)) return { text: decode(buffer), bytes };
  const chunks: Buffer[] = [];
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
  try {
    await pipeline([buffer], gunzip, collectInto(chunks));
  } catch (error) {
    return gunzipFailure(error, chunks, bytes);
  }
  return { text: decode(Buffer.concat(chunks)), bytes };
}

async function fromStream(name: string, body: Readable): Promise<RawText> {
  const iterator = (body as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  let bytes = 0;
  let sourceError: unknown;
  const pull = async (): Promise<Buffer | undefined> => {
    try {
      const step = await iterator.next();
      if (step.done) return undefined;
      const chunk = typeof step.value === 'string' ? Buffer.from(step.value) : step.value;
      bytes += chunk.byteLength;
      return Buffer.isBuffer(chunk)
        ? chunk
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    } catch (error) {
      sourceError = error;
      throw error;
    }
  };
  const failed = (error: unknown) =>
    new LogFileReadError(`reading ${name}: ${messageOf(error)}`, { cause: error });

  // The first two bytes decide between gzip and plain text.
  const head: Buffer[] = [];
  let headLength = 0;
  try {
    while (headLength < 2) {
      const chunk = await pull();
      if (chunk === undefined) break;
      head.push(chunk);
      headLength += chunk.byteLength;
    }
  } catch (error) {
    throw failed(error);
  }
  const first = head.length === 1 ? (head[0] as Buffer) : Buffer.concat(head);

  if (!isGzip(first)) {
    const chunks = [first];
    try {
      for (let chunk = await pull(); chunk !== undefined; chunk = await pull()) chunks.push(chunk);
    } catch (error) {
      throw failed(error);
    }
    return { text: decode(chunks.length === 1 ? first : Buffer.concat(chunks)), bytes };
  }

  const chunks: Buffer[] = [];
  async function* compressed() {
    yield first;
    for (let chunk = await pull(); chunk !== undefined; chunk = await pull()) yield chunk;
  }
  try {
    await pipeline(
      compressed(),
      createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }),
      collectInto(chunks),
    );
  } catch (error) {
    if (sourceError !== undefined) throw failed(sourceError);
    body.destroy();
    return gunzipFailure(error, chunks, bytes);
  }
  return {
    text: decode(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)),
    bytes,
  };
}

function collectInto(chunks: Buffer[]) {
  return async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) chunks.push(chunk);
  };
}

function gunzipFailure(error: unknown, chunks: Buffer[], bytes: number): RawText {
  const code = (error as { code?: unknown }).code;
  // Truncation: the output so far is exactly the start of the original content.
  if (code === 'Z_BUF_ERROR')
    return {
      text: decode(Buffer.concat(chunks)),
      problem: `truncated gzip (${messageOf(error)}) after ${bytes} bytes`,
      bytes,
    };
  return { problem: `corrupt gzip: ${messageOf(error)}`, bytes };
}

function decode(buffer: Uint8Array): string {
  const text = Buffer.isBuffer(buffer)
    ? buffer.toString('utf8')
    : Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

interface ParsedText {
  records: SourceRecord[];
  problem?: string;
}

function parseLogText(name: string, text: string): ParsedText {
  if (text.trim() === '') return { records: [], problem: 'empty file' };
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return parseDamaged(name, text, error);
  }
  return fromDocument(name, document, '');
}

/** The records of a parsed document; `where` prefixes positions (an NDJSON line). */
function fromDocument(name: string, document: unknown, where: string): ParsedText {
  if (Array.isArray(document)) return { records: toSourceRecords(`${name}: ${where}[`, document) };
  if (typeof document === 'object' && document !== null) {
    const records = (document as { Records?: unknown }).Records;
    if (Array.isArray(records))
      return { records: toSourceRecords(`${name}: ${where}Records[`, records) };
    const keys = Object.keys(document);
    return {
      records: [],
      problem:
        keys.length === 0
          ? 'no "Records" array: the file is an empty object'
          : `no "Records" array: an object with keys ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''}`,
    };
  }
  return { records: [], problem: `no "Records" array: the file is a JSON ${typeOf(document)}` };
}

function toSourceRecords(positionPrefix: string, values: readonly unknown[]): SourceRecord[] {
  const records = new Array<SourceRecord>(values.length);
  for (let index = 0; index < values.length; index++)
    records[index] = { position: `${positionPrefix}${index}]`, value: values[index] };
  return records;
}

function parseDamaged(name: string, text: string, error: unknown): ParsedText {
  const ndjson = parseNdjson(name, text);
  if (ndjson !== undefined) return ndjson;
  const records = salvageArrayPrefix(name, text);
  return {
    records,
    problem: `JSON does not parse (${messageOf(error)}): ${salvaged(records.length)}`,
  };
}

/** NDJSON when the first line parses on its own and there is more than one line; else undefined. */
function parseNdjson(name: string, text: string): ParsedText | undefined {
  const lines = text.split('\n');
  const firstLine = lines.findIndex((line) => line.trim() !== '');
  if (firstLine < 0 || lines.filter((line) => line.trim() !== '').length < 2) return undefined;
  try {
    JSON.parse(lines[firstLine] as string);
  } catch {
    return undefined;
  }
  const records: SourceRecord[] = [];
  const bad: number[] = [];
  let firstProblem: string | undefined;
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      bad.push(index + 1);
      firstProblem ??= `line ${index + 1} does not parse (${messageOf(error)})`;
      return;
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const nested = (value as { Records?: unknown }).Records;
      if (Array.isArray(nested)) {
        records.push(...toSourceRecords(`${name}: line ${index + 1} Records[`, nested));
        return;
      }
    }
    records.push({ position: `${name}: line ${index + 1}`, value });
  });
  if (firstProblem === undefined) return { records };
  return {
    records,
    problem: `${firstProblem}${bad.length > 1 ? ` and ${bad.length - 1} more lines` : ''}: kept the ${records.length} records of the lines that parse`,
  };
}

/**
 * The complete elements at the start of the `Records` array (or a bare array) of text that does
 * not parse as a whole: a scan for element boundaries, each element parsed alone, stopping at the
 * first that does not parse. Text before the damage is the file's own, so these are its records.
 */
function salvageArrayPrefix(name: string, text: string): SourceRecord[] {
  const opening = /^\s*(?:\{\s*"Records"\s*:\s*)?\[/.exec(text);
  if (!opening) return [];
  const prefix = opening[0].trimStart().startsWith('{') ? `${name}: Records[` : `${name}: [`;
  const values: unknown[] = [];
  let index = opening[0].length;
  for (;;) {
    while (index < text.length && /\s/.test(text[index] as string)) index++;
    const start = index;
    const end = endOfValue(text, start);
    if (end === undefined) break;
    try {
      values.push(JSON.parse(text.slice(start, end)));
    } catch {
      break;
    }
    index = end;
    while (index < text.length && /\s/.test(text[index] as string)) index++;
    if (text[index] !== ',') break;
    index++;
  }
  return toSourceRecords(prefix, values);
}

/** The index just after the JSON value starting at `start` (an object, array or scalar), if it ends. */
function endOfValue(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c /* \ */) index++;
      else if (char === 0x22 /* " */) {
        inString = false;
        if (depth === 0) return index + 1;
      }
      continue;
    }
    if (char === 0x22 /* " */) inString = true;
    else if (char === 0x7b /* { */ || char === 0x5b /* [ */) depth++;
    else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      // At depth 0 this closes the array: it ends a scalar element, or there is no element.
      if (depth === 0) return index > start ? index : undefined;
      depth--;
      if (depth === 0) return index + 1;
    } else if (depth === 0 && (char === 0x2c /* , */ || char <= 0x20)) {
      // A scalar element ends at a separator or whitespace.
      return index > start ? index : undefined;
    }
  }
  return undefined;
}

function salvaged(count: number): string {
  return count === 0
    ? 'no record read'
    : `kept the ${count} record${count === 1 ? '' : 's'} before the damage`;
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : typeof value;
}

/** Duck-typed: errors of Node's own modules are not `instanceof Error` of a jest sandbox. */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_PROBLEM_LENGTH ? `${line.slice(0, MAX_PROBLEM_LENGTH - 1)}…` : line;
}
