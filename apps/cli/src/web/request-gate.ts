/**
 * How many API requests the web view works on at once: `inFlight`, the others wait in a short
 * queue for at most `waitMs`, and a request that finds the queue full, or waits too long, is told
 * to come back later (503). A page asks one timeline at a time, so this only bites a flood.
 */

export interface RequestGateOptions {
  /** Requests worked on at once. */
  inFlight: number;
  /** Requests that may wait for a turn. */
  queued: number;
  /** Longest wait for a turn, ms. */
  waitMs: number;
}

/** Two at once (a page and a second tab), four waiting, for up to 2 s. */
export const DEFAULT_REQUEST_GATE: RequestGateOptions = { inFlight: 2, queued: 4, waitMs: 2000 };

export interface RequestGate {
  /**
   * Resolves with the function that ends the turn, or `undefined` when there is no turn to be had
   * (queue full, waited `waitMs`, or `signal` fired while waiting).
   */
  enter(signal: AbortSignal): Promise<(() => void) | undefined>;
}

export function createRequestGate(options: RequestGateOptions): RequestGate {
  let active = 0;
  const waiting: ((turn: boolean) => void)[] = [];
  const leave = () => {
    const next = waiting.shift();
    if (next) next(true);
    else active -= 1;
  };
  const turn = () => {
    let left = false;
    return () => {
      if (left) return;
      left = true;
      leave();
    };
  };
  return {
    async enter(signal) {
      if (signal.aborted) return undefined;
      if (active < options.inFlight) {
        active += 1;
        return turn();
      }
      if (waiting.length >= options.queued) return undefined;
      const granted = await new Promise<boolean>((resolve) => {
        const done = (granted: boolean) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', abandon);
          const at = waiting.indexOf(done);
          if (at >= 0) waiting.splice(at, 1);
          resolve(granted);
        };
        const abandon = () => done(false);
        const timer = setTimeout(abandon, options.waitMs);
        signal.addEventListener('abort', abandon, { once: true });
        waiting.push(done);
      });
      // A turn handed over by `leave` keeps `active` as it was: the leaver's slot is this one's.
      return granted ? turn() : undefined;
    },
  };
}
