/**
 * Learnt cadences of scheduled families: from the start times of their runs, the fixed period they
 * run on (every N minutes, hourly at :MM, every N hours, daily at HH:MM, daily on some weekdays
 * only), or none. Pure.
 *
 * Tolerant of what schedules really do: EventBridge fires within a minute of the time and tasks
 * start a few minutes late (starts may lag their slot by up to {@link toleranceMinutesOf}); a
 * firing may start several tasks (starts in one slot count once); a run or two may be missing.
 * Anything else (random gaps, a schedule that moved, a daylight-saving shift in the history) has no
 * cadence: undefined means "never alarm", so a doubt never becomes a false alarm.
 */

/** A learnt schedule: every `periodMinutes`, at `offsetMinutes` past each period (epoch-aligned, UTC). */
export interface Cadence {
  periodMinutes: number;
  /** Minutes past each period's start (UTC, epoch-aligned: a daily period starts at 00:00 UTC). */
  offsetMinutes: number;
  /** UTC days of the week (0 Sunday … 6 Saturday) it runs on, when not every day (daily cadences only). */
  days?: number[];
}

/** Periods a cadence may have, in minutes: shorter ones are not told apart from jitter. */
export const CADENCE_PERIODS: readonly number[] = [
  5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440,
];

const DAY = 1440;
const WEEKDAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
/** Starts closer than this (minutes) belong to one firing (a rule that starts several tasks). */
const SAME_FIRING_MINUTES = 0.5;

/** How late (minutes) a start may be after its slot, for a period: a third of it, at most 6. */
export function toleranceMinutesOf(periodMinutes: number): number {
  return Math.min(6, periodMinutes * 0.34);
}

/**
 * The cadence of a history of start times (any order, ISO-8601), or undefined when it has none:
 * fewer than `minRuns` (default 4) firings, or no period of {@link CADENCE_PERIODS} that every start
 * fits (within {@link toleranceMinutesOf} of one phase, one firing per slot) with at most max(2, 5%)
 * of its slots empty
 * (and no more than a third of its runs).
 * The shortest fitting period wins (an hourly history fits no 30-minute cadence: half its slots
 * would be empty).
 *
 * @example
 * learnCadence(['2026-11-20T02:05:40Z', '2026-11-20T03:05:12Z', '2026-11-20T04:06:02Z', '2026-11-20T05:05:31Z']);
 * // { periodMinutes: 60, offsetMinutes: 5.2 } — "hourly at :05"
 */
export function learnCadence(
  startTimes: readonly string[],
  options: { minRuns?: number } = {},
): Cadence | undefined {
  const minRuns = options.minRuns ?? 4;
  const firings = firingsOf(startTimes);
  if (firings.length < Math.max(2, minRuns)) return undefined;
  for (const period of CADENCE_PERIODS) {
    const cadence = fitPeriod(firings, period);
    if (cadence !== undefined) return cadence;
  }
  return undefined;
}

/**
 * The first slot of `cadence` after the slot `lastStart` ran for (a start up to half a minute
 * early, or late by up to the tolerance, ran for the slot nearest before it).
 *
 * @example
 * nextExpectedAfter({ periodMinutes: 60, offsetMinutes: 5 }, '2026-11-20T02:07:30.000Z'); // '2026-11-20T03:05:00.000Z'
 */
export function nextExpectedAfter(cadence: Cadence, lastStart: string): string {
  const { periodMinutes: period, offsetMinutes: offset } = cadence;
  const t = Date.parse(lastStart) / 60_000;
  const slot = Math.floor((t - offset + 0.5) / period);
  let next = offset + (slot + 1) * period;
  if (cadence.days !== undefined && cadence.days.length > 0) {
    while (!cadence.days.includes(weekdayOf(next))) next += period;
  }
  return new Date(Math.round(next * 60_000)).toISOString();
}

/**
 * The cadence in words: "every 15 min", "hourly at :05", "every 6 h from 00:30 UTC",
 * "daily at 02:00 UTC", "weekdays at 06:30 UTC", "daily at 06:30 UTC except Sun, Mon".
 */
export function describeCadence(cadence: Cadence): string {
  const { periodMinutes: period, offsetMinutes: offset } = cadence;
  const minute = Math.floor(offset) % 60;
  if (period < 60) return `every ${period} min`;
  if (period === 60) return `hourly at :${pad(minute)}`;
  const time = `${pad(Math.floor(offset / 60) % 24)}:${pad(minute)} UTC`;
  if (period < DAY) return `every ${period / 60} h from ${time}`;
  const days = cadence.days;
  if (days === undefined || days.length === 0 || days.length === 7) return `daily at ${time}`;
  if (days.join() === '1,2,3,4,5') return `weekdays at ${time}`;
  const skipped = [0, 1, 2, 3, 4, 5, 6].filter((day) => !days.includes(day));
  return `daily at ${time} except ${skipped.map((day) => WEEKDAY_NAMES[day]).join(', ')}`;
}

/** Start times as epoch minutes, sorted, one per firing. */
function firingsOf(startTimes: readonly string[]): number[] {
  const minutes = startTimes
    .map((time) => Date.parse(time) / 60_000)
    .filter((t) => Number.isFinite(t))
    .sort((a, b) => a - b);
  const firings: number[] = [];
  for (const t of minutes) {
    const previous = firings[firings.length - 1];
    if (previous === undefined || t - previous >= SAME_FIRING_MINUTES) firings.push(t);
  }
  return firings;
}

function fitPeriod(firings: readonly number[], period: number): Cadence | undefined {
  const phases = firings.map((t) => mod(t, period)).sort((a, b) => a - b);
  // The phases' cluster on the circle: it begins after the largest gap between them.
  let start = phases[0] as number;
  let largestGap = (phases[0] as number) + period - (phases[phases.length - 1] as number);
  for (let i = 1; i < phases.length; i++) {
    const gap = (phases[i] as number) - (phases[i - 1] as number);
    if (gap > largestGap) {
      largestGap = gap;
      start = phases[i] as number;
    }
  }
  if (period - largestGap > toleranceMinutesOf(period)) return undefined;
  const offset = Math.floor(start * 1000 + 1e-6) / 1000;
  const slotOf = (t: number) => Math.floor((t - offset + 0.5) / period);
  const slots = new Set(firings.map(slotOf));
  // A schedule fires once per slot: two firings in one slot are no cadence of this period.
  if (slots.size < firings.length) return undefined;
  const first = slotOf(firings[0] as number);
  const last = slotOf(firings[firings.length - 1] as number);
  const cadence: Cadence = { periodMinutes: period, offsetMinutes: offset };
  if (period === DAY) {
    const days = runDaysOf(slots, first, last, offset);
    if (days !== undefined) cadence.days = days;
  }
  const empty: number[] = [];
  for (let slot = first; slot <= last; slot++) {
    if (slots.has(slot)) continue;
    const day = weekdayOf(offset + slot * period);
    if (cadence.days === undefined || cadence.days.includes(day)) empty.push(slot);
  }
  const expected = slots.size + empty.length;
  // A missed run or two (5% of long histories), never more than a third of the runs it has.
  const allowed = Math.min(Math.max(2, Math.floor(expected * 0.05)), Math.floor(slots.size / 3));
  if (empty.length > allowed) return undefined;
  return cadence;
}

/**
 * For a daily cadence, the days it runs on when two consecutive weekdays never had a run though
 * their slots came up (weekdays-only jobs; Sun+Mon or Fri+Sat for schedules kept in another time
 * zone): the other five. Undefined: every day.
 */
function runDaysOf(
  slots: ReadonlySet<number>,
  first: number,
  last: number,
  offset: number,
): number[] | undefined {
  const runs = new Array<number>(7).fill(0);
  const seen = new Array<number>(7).fill(0);
  for (let slot = first; slot <= last; slot++) {
    const day = weekdayOf(offset + slot * DAY);
    seen[day] = (seen[day] as number) + 1;
    if (slots.has(slot)) runs[day] = (runs[day] as number) + 1;
  }
  // Saturday+Sunday first: the usual pair when more than one fits.
  for (const skipped of [6, 0, 1, 2, 3, 4, 5]) {
    const next = (skipped + 1) % 7;
    if (runs[skipped] === 0 && runs[next] === 0 && seen[skipped]! > 0 && seen[next]! > 0)
      return [0, 1, 2, 3, 4, 5, 6].filter((day) => day !== skipped && day !== next);
  }
  return undefined;
}

/** The UTC weekday (0 Sunday) of an epoch minute. */
function weekdayOf(epochMinutes: number): number {
  return new Date(Math.round(epochMinutes * 60_000)).getUTCDay();
}

function mod(value: number, period: number): number {
  return ((value % period) + period) % period;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
