/** A benchmark harness: alternating rounds of a baseline and candidates, medians, ratios. */

export interface Contender {
  name: string;
  /** Processes every item once; returns a value so the work cannot be optimised away. */
  run: () => unknown;
}

export interface Measurement {
  name: string;
  /** Median items per second over the rounds. */
  itemsPerSecond: number;
  /** Median time per round, ms. */
  medianMs: number;
  /** Median round time divided by the baseline's: 1.5 = 50% more time than the baseline. */
  ratioToBaseline: number;
}

export interface MeasureOptions {
  items: number;
  rounds: number;
  warmupRounds: number;
  /** Monotonic clock in ms (injected so the statistics can be tested). */
  now: () => number;
}

/**
 * Runs the baseline and each candidate `rounds` times, interleaved (baseline, A, B, baseline,
 * A, B, …) so that drift in machine load affects all alike, after `warmupRounds` untimed rounds.
 */
export function measure(
  baseline: Contender,
  candidates: readonly Contender[],
  options: MeasureOptions,
): Measurement[] {
  const contenders = [baseline, ...candidates];
  const times = contenders.map(() => [] as number[]);
  let sink = 0;
  for (let round = 0; round < options.warmupRounds + options.rounds; round++) {
    contenders.forEach((contender, index) => {
      const start = options.now();
      const result = contender.run();
      const elapsed = options.now() - start;
      sink += result === undefined ? 0 : 1;
      if (round >= options.warmupRounds) times[index]?.push(elapsed);
    });
  }
  if (sink < 0) throw new Error('unreachable');
  const medians = times.map(median);
  const baselineMs = medians[0] ?? NaN;
  return contenders.map((contender, index) => {
    const medianMs = medians[index] ?? NaN;
    return {
      name: contender.name,
      medianMs,
      itemsPerSecond: options.items / (medianMs / 1000),
      ratioToBaseline: medianMs / baselineMs,
    };
  });
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
