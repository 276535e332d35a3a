import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Quarantine } from './quarantine';
import { QuarantineError, stringifyQuarantineEntry } from './quarantine';

export interface FileQuarantineOptions {
  /** The NDJSON file; it and its folder are created when missing. */
  path: string;
}

/**
 * The local-mode quarantine: each entry is one JSON line appended to a file (NDJSON,
 * {@link stringifyQuarantineEntry}; {@link parseQuarantineEntry} reads a line back), with no size
 * limit. Appends are serialised so that lines never interleave.
 *
 * @example
 * const quarantine = createFileQuarantine({ path: '.ecslog/quarantine.ndjson' });
 * await quarantine.hold(entry);
 */
export function createFileQuarantine(options: FileQuarantineOptions): Quarantine {
  const { path } = options;
  let folderReady: Promise<unknown> | undefined;
  let tail: Promise<unknown> = Promise.resolve();
  return {
    hold(entry) {
      const append = tail.then(async () => {
        try {
          // JSON escapes every newline, so one entry is exactly one line.
          const line = `${stringifyQuarantineEntry(entry)}\n`;
          folderReady ??= mkdir(dirname(path), { recursive: true });
          await folderReady;
          await appendFile(path, line, 'utf8');
        } catch (error) {
          folderReady = undefined;
          throw new QuarantineError(`could not append the quarantine entry to ${path}`, {
            cause: error,
          });
        }
      });
      tail = append.catch(() => undefined);
      return append;
    },
  };
}
