/**
 * The I/O shell of `ecslog map` and `ecslog ingest`: turns command-line operands (files,
 * directories, `-` for stdin) into the events they hold, streamed line by line, in a
 * deterministic order.
 */
import type { Dirent } from 'node:fs';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { EventInput, FileLine, SplitLimits } from './event-inputs';
import {
  createEventSplitter,
  DEFAULT_MAX_DOCUMENT_BYTES,
  describeBytes,
  keptBytes,
} from './event-inputs';

/** The operand that means standard input. */
export const STDIN_OPERAND = '-';
/** How standard input is named in positions and messages. */
export const STDIN_SOURCE = '<stdin>';

/** Files a directory contributes; explicit file operands are read whatever their name. */
const EVENT_FILE_PATTERN = /\.(json|ndjson|jsonl|gz)$/i;

/** 1 GiB: a gzipped CloudTrail log file or Firehose object decompresses to a few MB. */
export const DEFAULT_MAX_GUNZIPPED_BYTES = 2 ** 30;

/** A file, or the rest of one, that could not be read; the inputs read before it stand. */
export interface UnreadableFile {
  kind: 'unreadable';
  source: string;
  reason: string;
}

export type InputItem = EventInput | UnreadableFile;

export const isUnreadable = (item: InputItem): item is UnreadableFile =>
  'kind' in item && item.kind === 'unreadable';

export interface InputLimits extends SplitLimits {
  /** Most bytes one gzipped input may decompress to (a gzip bomb stops there). */
  maxGunzippedBytes: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = {
  maxDocumentBytes: DEFAULT_MAX_DOCUMENT_BYTES,
  maxGunzippedBytes: DEFAULT_MAX_GUNZIPPED_BYTES,
};

export interface ReadInputOptions {
  /** Standard input as it arrives, or all of it at once; called at most once per `-` operand. */
  readStdin: () => AsyncIterable<Uint8Array> | Promise<Uint8Array>;
  limits?: Partial<InputLimits>;
}

/**
 * Yields the inputs of every operand in order, and each file (or rest of a file) that could not
 * be read, carrying on after it. Directories are searched recursively for *.json, *.json.gz,
 * *.ndjson, *.jsonl and *.gz files, in code-point order of their paths. Content that starts with
 * the gzip magic bytes is gunzipped whatever the file is called. Files are read as streams, one
 * line at a time: memory holds one line, or one JSON document (`maxDocumentBytes`), never a
 * whole NDJSON file; a gzipped input stops at `maxGunzippedBytes`, after the lines before it.
 * Text must be UTF-8 (a BOM is dropped): a line that is not is an input problem of its own.
 *
 * @example
 * for await (const item of readEventInputs(['events.ndjson.gz'], { readStdin }))
 *   if (isUnreadable(item)) console.error(item.reason); else handle(item);
 */
export async function* readEventInputs(
  operands: readonly string[],
  options: ReadInputOptions,
): AsyncGenerator<InputItem> {
  for await (const { item } of readSources(operands, options)) yield item;
}

/** Each item with the source (file, directory or stdin) it belongs to. */
async function* readSources(
  operands: readonly string[],
  { readStdin, limits: given }: ReadInputOptions,
): AsyncGenerator<{ source: string; item: InputItem }> {
  const limits = { ...DEFAULT_INPUT_LIMITS, ...given };
  const tagged = async function* (source: string, items: AsyncIterable<InputItem>) {
    for await (const item of items) yield { source, item };
  };
  for (const operand of operands.length > 0 ? operands : [STDIN_OPERAND]) {
    if (operand === STDIN_OPERAND) {
      yield* tagged(
        STDIN_SOURCE,
        readSource(STDIN_SOURCE, () => Readable.from(streamOf(readStdin())), limits),
      );
      continue;
    }
    const expanded = await expandOperand(operand);
    if ('reason' in expanded) {
      yield { source: expanded.source, item: { kind: 'unreadable', ...expanded } };
      continue;
    }
    for (const entry of expanded.files) {
      if ('reason' in entry) yield { source: entry.source, item: { kind: 'unreadable', ...entry } };
      else
        yield* tagged(
          entry.path,
          readSource(entry.path, () => createReadStream(entry.path), limits),
        );
    }
  }
}

/** A file's inputs, a batch at a time, or what could not be read. */
export type InputBatch = { kind: 'events'; source: string; inputs: EventInput[] } | UnreadableFile;

/**
 * {@link readEventInputs} in batches of at most `size` inputs of one file each, for consumers
 * that hand inputs on in groups (`ecslog ingest`: a Kinesis batch): memory holds one batch.
 * An {@link UnreadableFile} follows the batches of the file it names.
 */
export async function* readInputBatches(
  operands: readonly string[],
  options: ReadInputOptions,
  size = 500,
): AsyncGenerator<InputBatch> {
  let batch: { kind: 'events'; source: string; inputs: EventInput[] } | undefined;
  for await (const { source, item } of readSources(operands, options)) {
    if (batch && (isUnreadable(item) || batch.source !== source || batch.inputs.length >= size)) {
      yield batch;
      batch = undefined;
    }
    if (isUnreadable(item)) {
      yield item;
      continue;
    }
    batch ??= { kind: 'events', source, inputs: [] };
    batch.inputs.push(item);
  }
  if (batch) yield batch;
}

async function* streamOf(
  stdin: AsyncIterable<Uint8Array> | Promise<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  if (stdin instanceof Promise) yield await stdin;
  else yield* stdin;
}

/** One source's inputs, then why it stopped early if it did. */
async function* readSource(
  source: string,
  open: () => Readable,
  limits: InputLimits,
): AsyncGenerator<InputItem> {
  const split = createEventSplitter(source, limits);
  try {
    for await (const line of linesOf(open(), limits)) {
      if ('stop' in line) {
        yield* split.end();
        yield { kind: 'unreadable', source, reason: line.stop };
        return;
      }
      yield* split.line(line);
      if (split.failure !== undefined) {
        yield { kind: 'unreadable', source, reason: split.failure };
        return;
      }
    }
    yield* split.end();
  } catch (error) {
    yield* split.end();
    yield { kind: 'unreadable', source, reason: describeFsError(error) };
  }
}

/**
 * The lines of a byte stream, gunzipped when it starts with the gzip magic bytes. A line longer
 * than `maxDocumentBytes` comes cut (`overlong`), so memory stays bounded whatever the input; a
 * `stop` item ends the stream early (UTF-16, the gunzip limit).
 */
async function* linesOf(
  input: Readable,
  { maxDocumentBytes, maxGunzippedBytes }: InputLimits,
): AsyncGenerator<FileLine | { stop: string }> {
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head = await readHead(chunks);
  if (isUtf16(head)) {
    input.destroy();
    yield { stop: 'is UTF-16 text; ecslog reads UTF-8' };
    return;
  }
  const rest = Readable.from(prefixed(head, chunks));
  let bytes: AsyncIterable<Buffer> = rest;
  let gunzipped = false;
  let done: Promise<void> | undefined;
  if (isGzip(head)) {
    const gunzip = createGunzip();
    // zlib inflates each chunk written to it whole: 64 KiB of a gzip bomb would be 64 MiB at
    // once. Slices of 4 KiB keep that to a few MiB.
    done = pipeline(Readable.from(sliced(rest, 4096)), gunzip);
    done.catch(() => undefined); // its error reaches the loop below through gunzip
    bytes = gunzip;
    gunzipped = true;
  }

  let carry: Buffer[] = [];
  let carryBytes = 0;
  let overlong = false;
  let number = 0;
  let total = 0;
  try {
    for await (const chunk of bytes) {
      let data = chunk;
      total += chunk.length;
      const overLimit = gunzipped && total > maxGunzippedBytes;
      if (overLimit) data = chunk.subarray(0, chunk.length - (total - maxGunzippedBytes));
      let start = 0;
      for (let end = data.indexOf(0x0a); end !== -1; end = data.indexOf(0x0a, start)) {
        number += 1;
        const piece = data.subarray(start, end);
        const whole = carry.length === 0 ? piece : Buffer.concat([...carry, piece]);
        yield overlong || whole.length > maxDocumentBytes
          ? { bytes: whole.subarray(0, keptBytes(maxDocumentBytes)), number, overlong: true }
          : { bytes: whole, number };
        carry = [];
        carryBytes = 0;
        overlong = false;
        start = end + 1;
      }
      if (overLimit) {
        yield {
          stop: `decompresses to more than ${describeBytes(maxGunzippedBytes)}, the limit for a gzipped input; read to line ${number}`,
        };
        return;
      }
      // Part of a line: kept whole up to the limit, then only its start.
      if (start < data.length && !overlong) {
        const piece = data.subarray(start);
        carry.push(piece);
        carryBytes += piece.length;
        if (carryBytes > maxDocumentBytes) {
          // Only the start is kept: copying the whole carry would double the memory it holds.
          carry = [Buffer.concat(carry, keptBytes(maxDocumentBytes))];
          overlong = true;
        }
      }
    }
    if (carry.length > 0 || overlong) {
      number += 1;
      const whole = Buffer.concat(carry);
      yield overlong ? { bytes: whole, number, overlong: true } : { bytes: whole, number };
    }
    await done;
  } catch (error) {
    if (!gunzipped || !isZlibError(error)) throw error;
    // zlib drops what it had inflated but not yet handed on: the last lines may be missing.
    yield { stop: `corrupt gzip: ${(error as Error).message}; read to line ${number}` };
  } finally {
    if (bytes !== rest) (bytes as Readable).destroy();
    rest.destroy();
    input.destroy();
  }
}

/** At least the first two bytes (or all there are), to recognise gzip and UTF-16. */
async function readHead(chunks: AsyncIterator<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  while (length < 2) {
    const next = await chunks.next();
    if (next.done) break;
    const part = Buffer.from(next.value);
    parts.push(part);
    length += part.length;
  }
  return Buffer.concat(parts);
}

async function* sliced(chunks: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  for await (const chunk of chunks)
    for (let start = 0; start < chunk.length; start += size)
      yield chunk.subarray(start, start + size);
}

async function* prefixed(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  for (let next = await rest.next(); !next.done; next = await rest.next())
    yield Buffer.from(next.value);
}

type Expanded =
  | { files: Array<{ path: string } | { source: string; reason: string }> }
  | { source: string; reason: string };

async function expandOperand(operand: string): Promise<Expanded> {
  try {
    const stats = await stat(operand);
    if (!stats.isDirectory()) return { files: [{ path: operand }] };
    const files = await listEventFiles(operand);
    return { files: files.sort(byCodePoint) };
  } catch (error) {
    return { source: operand, reason: describeFsError(error) };
  }
}

/** Unreadable subdirectories become entries of their own, so the rest of the tree is still read. */
async function listEventFiles(
  directory: string,
): Promise<Array<{ path: string } | { source: string; reason: string }>> {
  let entries: Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    return [{ source: directory, reason: describeFsError(error) }];
  }
  const found: Array<{ path: string } | { source: string; reason: string }> = [];
  for (const entry of entries) {
    const path = join(directory, entry.name);
    // Symbolic links to directories are not followed: a link cycle would never end.
    if (entry.isDirectory()) found.push(...(await listEventFiles(path)));
    else if (EVENT_FILE_PATTERN.test(entry.name) && (await isFile(entry, path)))
      found.push({ path });
  }
  return found;
}

async function isFile(entry: Dirent, path: string): Promise<boolean> {
  if (entry.isFile()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return (await stat(path)).isFile();
  } catch {
    return true; // a dangling link: reading it reports the problem
  }
}

function byCodePoint(
  a: { path: string } | { source: string },
  b: { path: string } | { source: string },
): number {
  const left = 'path' in a ? a.path : a.source;
  const right = 'path' in b ? b.path : b.source;
  return left < right ? -1 : left > right ? 1 : 0;
}

function isGzip(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function isUtf16(bytes: Buffer): boolean {
  return (
    bytes.length >= 2 &&
    ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
  );
}

function isZlibError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' && code.startsWith('Z_');
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return (error as Error).message;
  }
}
