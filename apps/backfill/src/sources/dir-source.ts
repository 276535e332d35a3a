/**
 * CloudTrail log files in a local folder: a copy of a trail's bucket (`…/AWSLogs/<account>/
 * CloudTrail/<region>/YYYY/MM/DD/…`, day folders outside the window not even opened) or any
 * folder of `.json.gz` / `.json` files, read recursively in path order.
 *
 * @example
 * const source = createDirSource({ path: './logs', from, to });
 * await source.check();
 * for await (const chunk of source.chunks(undefined)) store(chunk.records);
 */
import { constants, createReadStream } from 'node:fs';
import type { Dirent } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackfillSource, SourceChunk, SourceEstimate } from '../backfill-source';
import { BackfillSetupError } from '../backfill-source';
import type { LogFileContent, LogFileEntry } from './log-file';
import {
  dayFolderOf,
  deliveredInWindow,
  DELIVERY_SLACK_MS,
  LogFileReadError,
  logFileChunks,
  readLogFile,
} from './log-file';

export interface DirSourceOptions {
  /** The folder. */
  path: string;
  /** Only files that can hold records from this instant on (by day folder and file name). */
  from?: Date;
  /** Only files that can hold records up to this instant (by day folder and file name). */
  to?: Date;
  /** Files read ahead, in parallel (default 8). */
  concurrency?: number;
}

const DEFAULT_CONCURRENCY = 8;
/** Per-file errors that make one file unreadable, not the run: a problem of that chunk. */
const FILE_PROBLEM_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR']);

/**
 * A {@link BackfillSource} over the log files in a folder, one chunk per file in the order of
 * their paths relative to the folder; the resume state is `{ after: <relative path> }`. Skips
 * digest files (`CloudTrail-Digest/`, `…_CloudTrail-Digest_…`), other `CloudTrail-*` folders
 * (Insights) and dot-files, and follows symbolic links to files but not to folders.
 */
export function createDirSource(options: DirSourceOptions): BackfillSource {
  const root = options.path;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  let listed: LogFileEntry[] | undefined;

  const list = async (): Promise<LogFileEntry[]> => {
    listed ??= await listLogFiles(root, options.from, options.to);
    return listed;
  };

  return {
    description: `dir ${root}`,

    async check(): Promise<void> {
      if (options.from && options.to && options.from.getTime() > options.to.getTime())
        throw new BackfillSetupError(
          `the window starts after it ends (${options.from.toISOString()} > ${options.to.toISOString()})`,
        );
      await checkFolder(root);
      listed = undefined;
      await list();
    },

    chunks(resume: unknown): AsyncIterable<SourceChunk> {
      return (async function* () {
        yield* logFileChunks(await list(), resume, concurrency, (entry) => readFile(entry));
      })();
    },

    estimate(): SourceEstimate {
      return listed === undefined ? {} : { chunks: listed.length };
    },
  };
}

async function checkFolder(root: string): Promise<void> {
  let stats;
  try {
    stats = await stat(root);
  } catch (error) {
    if (codeOf(error) === 'ENOENT')
      throw new BackfillSetupError(`folder ${root} does not exist`, { cause: error });
    throw new BackfillSetupError(`cannot open folder ${root}: ${codeOf(error) ?? error}`, {
      cause: error,
    });
  }
  if (!stats.isDirectory()) throw new BackfillSetupError(`${root} is not a folder`);
  try {
    await access(root, constants.R_OK | constants.X_OK);
  } catch (error) {
    throw new BackfillSetupError(`not allowed to read folder ${root}`, { cause: error });
  }
}

async function readFile(entry: LogFileEntry): Promise<LogFileContent> {
  try {
    return await readLogFile(entry.name, createReadStream(entry.name));
  } catch (error) {
    const code = error instanceof LogFileReadError ? codeOf(error.cause) : undefined;
    if (code !== undefined && FILE_PROBLEM_CODES.has(code))
      return { records: [], problem: `cannot read the file (${code})`, bytes: 0 };
    throw error;
  }
}

/**
 * Every log file under `root` that can hold records of the window, sorted by relative path. Day
 * folders (`CloudTrail/<region>/YYYY/MM/DD`) outside the window are pruned without being read.
 */
async function listLogFiles(root: string, from?: Date, to?: Date): Promise<LogFileEntry[]> {
  const first = from === undefined ? undefined : dayFolderOf(from);
  const last =
    to === undefined ? undefined : dayFolderOf(new Date(to.getTime() + DELIVERY_SLACK_MS));
  const entries: LogFileEntry[] = [];

  const walk = async (relative: string[]): Promise<void> => {
    const folder = join(root, ...relative);
    let children: Dirent[];
    try {
      children = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      throw new BackfillSetupError(
        `not allowed to read folder ${folder} (${codeOf(error) ?? error})`,
        {
          cause: error,
        },
      );
    }
    for (const child of children) {
      const name = child.name;
      if (name.startsWith('.')) continue;
      const path = [...relative, name];
      let isDirectory = child.isDirectory();
      let isFile = child.isFile();
      if (child.isSymbolicLink()) {
        const target = await stat(join(folder, name)).catch(() => undefined);
        isDirectory = false;
        isFile = target?.isFile() ?? false;
      }
      if (isDirectory) {
        if (name.startsWith('CloudTrail-')) continue;
        if (dayFolderInWindow(path, first, last)) await walk(path);
      } else if (
        isFile &&
        (name.endsWith('.json.gz') || name.endsWith('.json')) &&
        !name.includes('_CloudTrail-Digest_') &&
        deliveredInWindow(name, from, to)
      ) {
        entries.push({ id: path.join('/'), name: join(root, ...path) });
      }
    }
  };

  await walk([]);
  // A global sort: a folder walk alone does not give path order (`a-b` sorts before `a/b`).
  return entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Whether a folder can hold files of the window: false only for `…/CloudTrail/<region>/YYYY`,
 * `…/MM` or `…/DD` folders whose days all lie outside `first`..`last` (`YYYY/MM/DD`).
 */
function dayFolderInWindow(path: readonly string[], first?: string, last?: string): boolean {
  const trail = path.lastIndexOf('CloudTrail');
  if (trail < 0) return true;
  const date = path.slice(trail + 2);
  if (date.length === 0 || date.length > 3) return true;
  if (!date.every((part, index) => /^\d+$/.test(part) && part.length === (index === 0 ? 4 : 2)))
    return true;
  const folder = date.join('/');
  const length = folder.length;
  if (first !== undefined && folder < first.slice(0, length)) return false;
  if (last !== undefined && folder > last.slice(0, length)) return false;
  return true;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
