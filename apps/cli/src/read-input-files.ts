/**
 * The I/O shell of `ecslog map`: turns command-line operands (files, directories, `-` for stdin)
 * into decoded text, one file at a time, in a deterministic order.
 */
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip as gunzipCallback } from 'node:zlib';

const gunzip = promisify(gunzipCallback);

/** The operand that means standard input. */
export const STDIN_OPERAND = '-';
/** How standard input is named in positions and messages. */
export const STDIN_SOURCE = '<stdin>';

/** Files a directory contributes; explicit file operands are read whatever their name. */
const EVENT_FILE_PATTERN = /\.(json|ndjson|jsonl|gz)$/i;

export type InputFile =
  | { kind: 'text'; source: string; text: string }
  | { kind: 'unreadable'; source: string; reason: string };

export interface ReadInputOptions {
  /** Reads all of standard input; called at most once per `-` operand. */
  readStdin: () => Promise<Buffer>;
}

/**
 * Yields each input file's text, or why it could not be read, and carries on after a failure.
 * Directories are searched recursively for *.json, *.json.gz, *.ndjson, *.jsonl and *.gz files,
 * in code-point order of their paths. Content that starts with the gzip magic bytes is gunzipped
 * whatever the file is called; text must be UTF-8 (a BOM is dropped).
 */
export async function* readInputFiles(
  operands: readonly string[],
  { readStdin }: ReadInputOptions,
): AsyncGenerator<InputFile> {
  for (const operand of operands.length > 0 ? operands : [STDIN_OPERAND]) {
    if (operand === STDIN_OPERAND) {
      yield await decodeSource(STDIN_SOURCE, readStdin);
      continue;
    }
    const expanded = await expandOperand(operand);
    if ('reason' in expanded) {
      yield { kind: 'unreadable', ...expanded };
      continue;
    }
    for (const entry of expanded.files) {
      yield 'reason' in entry
        ? { kind: 'unreadable', ...entry }
        : await decodeSource(entry.path, () => readFile(entry.path));
    }
  }
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

async function decodeSource(source: string, read: () => Promise<Buffer>): Promise<InputFile> {
  let bytes: Buffer;
  try {
    bytes = await read();
  } catch (error) {
    return { kind: 'unreadable', source, reason: describeFsError(error) };
  }
  const decoded = await decodeBytes(bytes);
  return 'text' in decoded
    ? { kind: 'text', source, text: decoded.text }
    : { kind: 'unreadable', source, reason: decoded.reason };
}

/** Gunzips (by content, not by name) and decodes UTF-8 strictly. */
export async function decodeBytes(bytes: Buffer): Promise<{ text: string } | { reason: string }> {
  let content = bytes;
  if (isGzip(content)) {
    try {
      content = await gunzip(content);
    } catch (error) {
      return { reason: `corrupt gzip: ${(error as Error).message}` };
    }
  }
  if (isUtf16(content)) return { reason: 'is UTF-16 text; ecslog reads UTF-8' };
  try {
    // `fatal` rejects bytes that are not UTF-8 instead of replacing them with U+FFFD; the
    // default `ignoreBOM: false` drops a leading byte-order mark.
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(content) };
  } catch {
    return { reason: 'is not UTF-8 text' };
  }
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
