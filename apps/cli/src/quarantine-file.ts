import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { Problem } from '@ecslog/ecs-event-mapper';

/** One invalid input as kept in the quarantine file: enough to fix it and map it again. */
export interface QuarantineEntry {
  position: string;
  problems: Problem[];
  input: unknown;
}

export interface QuarantineFile {
  /** Appends one NDJSON line. Never throws: a failure is reported once and remembered. */
  append(entry: QuarantineEntry): Promise<void>;
  close(): Promise<void>;
  /** Why the file could not be written, if it could not. */
  readonly failure: string | undefined;
}

/**
 * The `--invalid-out` file, opened for appending on first use (so a run without invalid inputs
 * leaves no file behind, and earlier runs' entries are kept).
 */
export function createQuarantineFile(
  path: string,
  onFailure: (message: string) => void,
): QuarantineFile {
  let handle: FileHandle | undefined;
  let failure: string | undefined;

  return {
    async append(entry) {
      if (failure !== undefined) return;
      try {
        handle ??= await open(path, 'a');
        await handle.write(`${JSON.stringify(entry)}\n`);
      } catch (error) {
        failure = (error as Error).message;
        onFailure(`ecslog: cannot write invalid inputs to ${path}: ${failure}`);
      }
    },
    async close() {
      await handle?.close();
    },
    get failure() {
      return failure;
    },
  };
}
