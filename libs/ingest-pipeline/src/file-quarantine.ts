import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Quarantine } from './quarantine';
import { QuarantineError } from './quarantine';

export interface FileQuarantineOptions {
  /** The NDJSON file; it and its folder are created when missing. */
  path: string;
}

/**
 * The local-mode quarantine: each entry is one JSON line appended to a file (NDJSON), with no
 * size limit. Appends are serialised so that lines never interleave.
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
      // JSON.stringify escapes every newline, so one entry is exactly one line.
      const line = `${JSON.stringify(entry)}\n`;
      const append = tail.then(async () => {
        try {
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
