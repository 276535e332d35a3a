import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { Problem } from '@ecslog/ecs-event-mapper';
import { stringifyJson } from '@ecslog/ecs-event-mapper';

/** One invalid input as kept in the quarantine file: enough to fix it and map it again. */
export interface QuarantineEntry {
  position: string;
  problems: Problem[];
  /** The input as read: its JSON value, or (with `inputEncoding`) the raw text or bytes. */
  input: unknown;
  /** Set when `input` is the line's raw text (`utf8`) or its bytes in base64 (`base64`). */
  inputEncoding?: 'utf8' | 'base64';
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
        // stringifyJson: an input of any depth is written, never a stack overflow.
        await handle.write(`${stringifyJson(entry)}\n`);
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
