/** A learnt schedule: every `periodMinutes`, at `offsetMinutes` past each period (epoch-aligned, UTC). */
export interface Cadence {
  periodMinutes: number;
  offsetMinutes: number;
  /** UTC days of the week (0 Sunday) it runs on, when not every day (daily cadences only). */
  days?: number[];
}

/** The cadence of a history of start times, or undefined when it has none (irregular, too short). */
export function learnCadence(
  startTimes: readonly string[],
  options?: { minRuns?: number },
): Cadence | undefined {
  void startTimes;
  void options;
  return undefined;
}

/** The first slot of `cadence` after the slot `lastStart` ran for. */
export function nextExpectedAfter(cadence: Cadence, lastStart: string): string {
  void cadence;
  return lastStart;
}

/** The cadence in words: "every 15 min", "hourly at :05", "daily at 02:00 UTC", "weekdays at 06:30 UTC". */
export function describeCadence(cadence: Cadence): string {
  return `every ${cadence.periodMinutes} min`;
}
