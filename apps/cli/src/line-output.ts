import type { Writable } from 'node:stream';

/** Newline-terminated output that respects back-pressure and notices a closed reader. */
export interface LineOutput {
  /** Writes one line (without its newline); waits only when the stream asks to. */
  writeLine(line: string): Promise<void>;
  /** True once nothing more can be written: the reader went away (EPIPE) or writing failed. */
  readonly closed: boolean;
  /** The write error, unless it was only the reader going away (which is not a failure). */
  readonly failure: Error | undefined;
}

/**
 * Wraps stdout for `… | head -1`: when the reader closes the pipe, writes fail with EPIPE. That
 * is a normal way for a pipeline to end, so it closes the output quietly instead of crashing.
 */
export function createLineOutput(stream: Writable): LineOutput {
  let closed = false;
  let failure: Error | undefined;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    closed = true;
    if (error.code !== 'EPIPE' && failure === undefined) failure = error;
  });
  const isClosed = () => closed || stream.destroyed || stream.errored !== null;

  return {
    async writeLine(line) {
      if (isClosed()) return;
      if (!stream.write(`${line}\n`)) await drained(stream);
    },
    get closed() {
      return isClosed();
    },
    get failure() {
      // `errored` is set as soon as a write fails; the 'error' event only follows on a later tick.
      const error: NodeJS.ErrnoException | undefined = failure ?? stream.errored ?? undefined;
      return error?.code === 'EPIPE' ? undefined : error;
    },
  };
}

function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed) return resolve();
    const done = () => {
      stream.off('drain', done).off('error', done).off('close', done);
      resolve();
    };
    stream.on('drain', done).on('error', done).on('close', done);
  });
}
