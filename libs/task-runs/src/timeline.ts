/**
 * The web view's timeline: the task runs active at some moment of a window, laid out as bars in
 * rows, one group of rows per service or task family, and the failures among them by category.
 * Pure: `now` is an argument.
 *
 * A bar spans the run's phases: pending (created → image pull, and pull → started), image pull,
 * running (started → stopped). A run still going runs to `now`. Every bar is clipped to the
 * window, and says so: `continuesBefore` when the run started before the window,
 * `continuesAfter` when it ended after the window or is still open at the bar's end. A task that
 * never started (a placement or start failure of RunTask) is a mark, not a bar; so is a run known
 * only by the call that started it, whose course and end are not recorded.
 */
import type {
  AuditRecord,
  ChurnKind,
  FailureCategory,
  OutcomeStatus,
} from '@ecslog/ecs-event-mapper';
import { canonicalIsoMs, FAILURE_CATEGORIES } from '@ecslog/ecs-event-mapper';
import type { RunClosure, RunEnd, TaskRun } from './task-runs';
import { parseTime } from './iso-time';
import { runSpanOf } from './task-runs';

export type PhaseKind = 'pending' | 'pull' | 'running';

/** `[kind, fromMs, toMs]`, compact because a timeline can hold tens of thousands. */
export type Phase = [PhaseKind, number, number];

export interface TimelineRun {
  /** What the run's details are read by: the task ARN, or the failure's record id. */
  id: string;
  taskId?: string;
  clusterName: string;
  /** `service:NAME`, `family:NAME`, or the cluster name when ECS gave neither. */
  group: string;
  /** Index into {@link Timeline.rows}. */
  row: number;
  /**
   * Epoch ms: the bar's (or mark's) start and end, clipped to the timeline's range (and an open
   * run's bar to now); equal for a mark.
   */
  start: number;
  end: number;
  /** The run's own start, ISO-8601: before `start` when the run began before the range. */
  startTime: string;
  /** The run's own end, ISO-8601, when it has one (stopped, closed): after `end` when clipped. */
  endTime?: string;
  /** How the run ended, or that it has not (see {@link RunEnd}). */
  runEnd: RunEnd;
  /** Set when a later writer closed the run (its end was `closed`): when, and why. */
  closure?: RunClosure;
  /** True when the run started before the range: the bar is clipped at the range's start. */
  continuesBefore: boolean;
  /**
   * True when the run goes on after the bar's end: it ended after the range's end, or it is still
   * open.
   */
  continuesAfter: boolean;
  /** In time order, back to back, covering start → end (clipped as the bar is); empty for a mark. */
  phases: Phase[];
  status: OutcomeStatus;
  category?: FailureCategory;
  /** Set when the run was stopped as expected churn (scale-in, instance draining, infrastructure health). */
  churn?: ChurnKind;
  summary: string;
  lastStatus?: string;
  neverStarted: boolean;
  /**
   * True for a run known only by the RunTask or StartTask call that started it (history replayed
   * from CloudTrail): a mark at its start, in a row of its own then, as nothing after the call
   * is recorded.
   */
  endUnknown: boolean;
  /** True when the run had not stopped by the end of the bar. */
  open: boolean;
  /** A mark's failure record, whole: a task that never started has no history to read. */
  failure?: AuditRecord;
}

export interface TimelineRow {
  group: string;
  clusterName: string;
  /** 0 for a group's first row; a group gets as many rows as it has runs at the same time. */
  lane: number;
}

export interface FailureCategoryRuns {
  category: FailureCategory;
  /** Ids of the failed runs (see {@link TimelineRun.id}), in start order. */
  runIds: string[];
}

/** ISO-8601 instants, as the audit store's TimeRange (the page imports no store code). */
export interface TimelineRange {
  from: string;
  to: string;
}

export interface Timeline {
  range: TimelineRange;
  rows: TimelineRow[];
  /** In start order. */
  runs: TimelineRun[];
  /** In {@link FAILURE_CATEGORIES} order, categories without failures left out. */
  failures: FailureCategoryRuns[];
}

/**
 * Lays out the runs active at some moment of `range` (others are left out), each clipped to it:
 * groups ordered by cluster then name; within a group, each run takes the first row free at the
 * start of its clipped bar (rows never hold two overlapping bars or start marks).
 *
 * @example
 * // A task running for ten days, in the last hour: one bar across the hour, continuing both ways.
 * const [bar] = toTimeline([run], { from: hourAgo, to: nowIso }, Date.now()).runs;
 * bar.continuesBefore && bar.continuesAfter && bar.open; // true
 */
export function toTimeline(runs: readonly TaskRun[], range: TimelineRange, now: number): Timeline {
  const window = { from: Date.parse(range.from), to: Date.parse(range.to) };
  const bars: TimelineRun[] = [];
  for (const run of runs) {
    // isActiveDuring, with the window's ends parsed once.
    const span = runSpanOf(run);
    if (span.start <= window.to && span.end >= window.from)
      bars.push(toTimelineRun(run, span.start, window, now));
  }
  bars.sort(byStartThenId);

  const groups = new Map<string, TimelineRun[]>();
  for (const bar of bars) {
    const key = `${bar.clusterName}\u0000${bar.group}`;
    const members = groups.get(key);
    if (members) members.push(bar);
    else groups.set(key, [bar]);
  }
  const rows: TimelineRow[] = [];
  for (const key of [...groups.keys()].sort()) {
    const members = groups.get(key) as TimelineRun[];
    const firstRow = rows.length;
    const lanes = laneLayout();
    for (const bar of members) bar.row = firstRow + lanes.place(bar);
    const first = members[0] as TimelineRun;
    for (let lane = 0; lane < Math.max(1, lanes.count()); lane += 1)
      rows.push({ group: first.group, clusterName: first.clusterName, lane });
  }
  return { range, rows, runs: bars, failures: failuresOf(bars) };
}

function byStartThenId(a: TimelineRun, b: TimelineRun): number {
  return a.start - b.start || a.id.localeCompare(b.id);
}

/**
 * The lanes of one group, for bars placed in start order: each bar takes the lowest lane whose
 * last bar ended before its start. A launch that never started is marked on the group's first
 * lane and leaves it free; bars (and the start marks of runs known only by their start call, of
 * no length) take a lane, so that each can be told apart and clicked. As bars come in start
 * order, a lane free at one bar's start is free at every later one: lanes move once from busy
 * (a heap by end) to free (a heap by index), O(log lanes) a bar.
 */
function laneLayout(): { place(bar: TimelineRun): number; count(): number } {
  /** Lane indexes, by the end of their last bar (then index). */
  const busy = createHeap<{ lane: number; end: number }>(
    (a, b) => a.end - b.end || a.lane - b.lane,
  );
  const free = createHeap<number>((a, b) => a - b);
  let count = 0;
  return {
    place(bar) {
      if (bar.neverStarted) {
        if (count === 0) {
          count = 1;
          free.push(0);
        }
        return 0;
      }
      for (let top = busy.peek(); top !== undefined && top.end < bar.start; top = busy.peek()) {
        busy.pop();
        free.push(top.lane);
      }
      const lane = free.pop() ?? count++;
      busy.push({ lane, end: bar.end });
      return lane;
    },
    count: () => count,
  };
}

/** A binary min-heap by `before`. */
function createHeap<T>(before: (a: T, b: T) => number) {
  const items: T[] = [];
  const at = (i: number) => items[i] as T;
  const swap = (i: number, j: number) => {
    const item = at(i);
    items[i] = at(j);
    items[j] = item;
  };
  return {
    peek: (): T | undefined => items[0],
    push(item: T): void {
      items.push(item);
      for (let i = items.length - 1; i > 0;) {
        const parent = (i - 1) >> 1;
        if (before(at(i), at(parent)) >= 0) break;
        swap(i, parent);
        i = parent;
      }
    },
    pop(): T | undefined {
      if (items.length === 0) return undefined;
      const top = at(0);
      const last = items.pop() as T;
      if (items.length > 0) {
        items[0] = last;
        for (let i = 0; ;) {
          const left = 2 * i + 1;
          const right = left + 1;
          let least = i;
          if (left < items.length && before(at(left), at(least)) < 0) least = left;
          if (right < items.length && before(at(right), at(least)) < 0) least = right;
          if (least === i) break;
          swap(i, least);
          i = least;
        }
      }
      return top;
    },
  };
}

/**
 * One run's bar or mark. Built as one object literal of a fixed shape (optional fields set only
 * when present), as a timeline holds tens of thousands.
 */
function toTimelineRun(
  run: TaskRun,
  runStart: number,
  window: { from: number; to: number },
  now: number,
): TimelineRun {
  const { record, neverStarted } = run;
  const endUnknown = run.knownOnlyBy === 'start-call';
  // A mark is of no length: active in the window, it is inside it.
  const mark = neverStarted || endUnknown;
  const open = !mark && run.end === 'open';
  // An open run runs to now, and at least to the last news of it (a clock behind the records').
  const runEnd = mark
    ? runStart
    : open
      ? Math.max(now, time(record.eventTime) ?? runStart)
      : Math.max(runStart, time(run.endTime) ?? runStart);
  const start = mark ? runStart : Math.max(runStart, window.from);
  const end = mark ? runStart : Math.max(start, Math.min(runEnd, window.to));
  const bar: TimelineRun = {
    id: run.id,
    taskId: record.taskId,
    clusterName: record.clusterName,
    group: groupOf(record),
    row: 0,
    status: run.outcome.status,
    category: run.outcome.category,
    summary: run.outcome.summary,
    lastStatus: run.lastStatus,
    neverStarted,
    endUnknown,
    startTime: run.startTime,
    runEnd: run.end,
    start,
    end,
    phases: mark ? [] : phasesOf(record, start, end),
    open,
    continuesBefore: !mark && runStart < window.from,
    continuesAfter: !mark && (open || runEnd > window.to),
  };
  if (run.endTime !== undefined) bar.endTime = run.endTime;
  if (run.closure !== undefined) bar.closure = run.closure;
  if (run.outcome.churn !== undefined) bar.churn = run.outcome.churn;
  if (neverStarted) bar.failure = record;
  return bar;
}

/**
 * Back-to-back phases from start to end: pending until the pull (or the start), the pull, pending
 * again until the containers started, then running. Times ECS did not report are skipped;
 * times out of order are clamped so phases never overlap. A bar clipped to a window (start after
 * the run's, end before it) gets the run's phases clipped to it: a phase wholly outside is gone.
 */
export function phasesOf(record: AuditRecord, start: number, end: number): Phase[] {
  const marks: [PhaseKind, number | undefined][] = [
    ['pending', start],
    ['pull', time(record.pullStartedAt)],
    ['pending', time(record.pullStoppedAt)],
    ['running', time(record.startedAt)],
  ];
  const phases: Phase[] = [];
  let cursor = start;
  /** The phase the run was in at `end`: what a bar of no length shows. */
  let atEnd: PhaseKind = 'pending';
  for (const [kind, at] of marks) {
    if (at === undefined) continue;
    if (at <= end) atEnd = kind;
    const from = Math.min(Math.max(at, cursor), end);
    const last = phases[phases.length - 1];
    if (last) last[2] = from;
    phases.push([kind, from, end]);
    cursor = from;
  }
  const lasting: Phase[] = [];
  for (const phase of phases) {
    if (phase[2] <= phase[1]) continue;
    const previous = lasting[lasting.length - 1];
    // A pull of no length leaves two pending phases side by side: one phase.
    if (previous && previous[0] === phase[0]) previous[2] = phase[2];
    else lasting.push(phase);
  }
  // A bar of no length still shows the phase it was in.
  return lasting.length > 0 ? lasting : [[atEnd, start, end]];
}

function failuresOf(runs: readonly TimelineRun[]): FailureCategoryRuns[] {
  return FAILURE_CATEGORIES.map((category) => ({
    category,
    runIds: runs.filter((run) => run.category === category).map((run) => run.id),
  })).filter((entry) => entry.runIds.length > 0);
}

function groupOf(record: AuditRecord): string {
  if (record.group) return record.group;
  if (record.serviceName) return `service:${record.serviceName}`;
  if (record.family) return `family:${record.family}`;
  return record.clusterName;
}

function time(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = parseTime(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * A {@link Timeline} as the web view sends it: the same content in about a third of the bytes, for
 * a page that shows tens of thousands of runs. Strings that repeat (outcomes, summaries, groups,
 * clusters, ARN prefixes) are sent once, in `strings`, and referred to by index; times are ms from
 * the range's start; a run is a tuple (see {@link PackedRun}); failures list runs by index.
 * {@link unpackTimeline} gives back the timeline {@link packTimeline} was given, as its JSON.
 */
export interface PackedTimeline {
  range: TimelineRange;
  strings: string[];
  /** `[group, clusterName, lane]`, the strings by index. */
  rows: [number, number, number][];
  runs: PackedRun[];
  /** Runs by index into `runs`. */
  failures: { category: FailureCategory; runs: number[] }[];
  /** {@link TimelineRun.failure} of the runs that have one, by run index. */
  failureRecords: Record<string, AuditRecord>;
  /** {@link TimelineRun.closure} of the runs that have one, by run index. */
  closures: Record<string, RunClosure>;
  /** {@link TimelineRun.churn} of the runs that have one, by run index; absent when none has. */
  churns?: Record<string, ChurnKind>;
}

/**
 * One run: `[idPrefix, idRest, taskId, row, start, length, flags, status, category, summary,
 * lastStatus, runEnd, startTime, endTime, phases, ...phaseEnds]`. `id` is split after its last
 * `/` (a task ARN's prefix repeats per cluster); `taskId` is 1 when it is `idRest`, 0 when absent;
 * strings are indexes (-1 absent); `start` and the ISO times are ms from the range's start (an ISO
 * time is sent as text when it does not read back the same); `flags` are {@link RUN_FLAGS};
 * `phases` is one letter a phase (`p` pending, `l` pull, `r` running), back to back from `start`
 * to `start + length`, the end of each but the last following in ms from `start` — or, were they
 * not back to back, the phases themselves.
 */
export type PackedRun = [
  number,
  string,
  string | 0 | 1,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number | string,
  number | string | null,
  string | [PhaseKind, number, number][],
  ...number[],
];

const RUN_FLAGS = {
  neverStarted: 1,
  endUnknown: 2,
  open: 4,
  continuesBefore: 8,
  continuesAfter: 16,
} as const;
const RUN_FLAG_ENTRIES = Object.entries(RUN_FLAGS) as [keyof typeof RUN_FLAGS, number][];
const PHASE_LETTERS: Record<PhaseKind, string> = { pending: 'p', pull: 'l', running: 'r' };
const PHASE_OF_LETTER: Record<string, PhaseKind> = { p: 'pending', l: 'pull', r: 'running' };

/** The timeline in its packed form, for the wire. */
export function packTimeline(timeline: Timeline): PackedTimeline {
  const base = Date.parse(timeline.range.from);
  const strings: string[] = [];
  const indexes = new Map<string, number>();
  const ref = (text: string | undefined): number => {
    if (text === undefined) return -1;
    let index = indexes.get(text);
    if (index === undefined) {
      index = strings.push(text) - 1;
      indexes.set(text, index);
    }
    return index;
  };
  const instant = (iso: string): number | string => {
    const ms = canonicalIsoMs(iso);
    return Number.isNaN(ms) ? iso : ms - base;
  };
  const failureRecords: Record<string, AuditRecord> = {};
  const closures: Record<string, RunClosure> = {};
  const churns: Record<string, ChurnKind> = {};
  const order = new Map<string, number>();
  const runs = timeline.runs.map((run, index): PackedRun => {
    order.set(run.id, index);
    if (run.failure) failureRecords[index] = run.failure;
    if (run.closure) closures[index] = run.closure;
    if (run.churn) churns[index] = run.churn;
    const cut = run.id.lastIndexOf('/') + 1;
    const rest = run.id.slice(cut);
    let flags = 0;
    for (const [name, bit] of RUN_FLAG_ENTRIES) if (run[name]) flags |= bit;
    return [
      ref(run.id.slice(0, cut)),
      rest,
      run.taskId === undefined ? 0 : run.taskId === rest ? 1 : run.taskId,
      run.row,
      run.start - base,
      run.end - run.start,
      flags,
      ref(run.status),
      ref(run.category),
      ref(run.summary),
      ref(run.lastStatus),
      ref(run.runEnd),
      instant(run.startTime),
      run.endTime === undefined ? null : instant(run.endTime),
      ...packedPhases(run),
    ];
  });
  return {
    range: timeline.range,
    strings,
    rows: timeline.rows.map((row) => [ref(row.group), ref(row.clusterName), row.lane]),
    runs,
    failures: timeline.failures.map(({ category, runIds }) => ({
      category,
      runs: runIds.map((id) => order.get(id) as number),
    })),
    failureRecords,
    closures,
    ...(Object.keys(churns).length > 0 && { churns }),
  };
}

/** `[letters, ...ends]` of back-to-back phases covering the bar; else the phases, from `start`. */
function packedPhases(run: TimelineRun): [string | [PhaseKind, number, number][], ...number[]] {
  const { phases, start, end } = run;
  const backToBack = phases.every(
    ([, from, to], index) =>
      from === (index === 0 ? start : phases[index - 1]?.[2]) &&
      (index < phases.length - 1 || to === end),
  );
  if (!backToBack) return [phases.map(([kind, from, to]) => [kind, from - start, to - start])];
  return [
    phases.map(([kind]) => PHASE_LETTERS[kind]).join(''),
    ...phases.slice(0, -1).map(([, , to]) => to - start),
  ];
}

/** The timeline a {@link PackedTimeline} was packed from. */
export function unpackTimeline(packed: PackedTimeline): Timeline {
  const base = Date.parse(packed.range.from);
  const { strings } = packed;
  const text = (index: number): string | undefined => (index < 0 ? undefined : strings[index]);
  const iso = (value: number | string): string =>
    typeof value === 'number' ? new Date(base + value).toISOString() : value;
  const rows: TimelineRow[] = packed.rows.map(([group, clusterName, lane]) => ({
    group: strings[group] as string,
    clusterName: strings[clusterName] as string,
    lane,
  }));
  const runs = packed.runs.map((tuple, index): TimelineRun => {
    const [prefix, rest, taskId, row, startAt, length, flags, status, category, summary] = tuple;
    const [lastStatus, runEnd, startTime, endTime, phases] = tuple.slice(10) as [
      number,
      number,
      number | string,
      number | string | null,
      string | [PhaseKind, number, number][],
    ];
    const start = base + startAt;
    const end = start + length;
    const { group, clusterName } = rows[row] as TimelineRow;
    const run: TimelineRun = {
      id: `${strings[prefix] ?? ''}${rest}`,
      taskId: taskId === 0 ? undefined : taskId === 1 ? rest : taskId,
      clusterName,
      group,
      row,
      status: strings[status] as OutcomeStatus,
      category: text(category) as FailureCategory | undefined,
      summary: strings[summary] as string,
      lastStatus: text(lastStatus),
      neverStarted: (flags & RUN_FLAGS.neverStarted) !== 0,
      endUnknown: (flags & RUN_FLAGS.endUnknown) !== 0,
      // Written out only when read (details, tooltips): a page of 10,000 runs reads few.
      get startTime() {
        return iso(startTime);
      },
      runEnd: strings[runEnd] as RunEnd,
      start,
      end,
      phases: unpackedPhases(phases, tuple.slice(15) as number[], start, end),
      open: (flags & RUN_FLAGS.open) !== 0,
      continuesBefore: (flags & RUN_FLAGS.continuesBefore) !== 0,
      continuesAfter: (flags & RUN_FLAGS.continuesAfter) !== 0,
    };
    if (endTime !== null)
      Object.defineProperty(run, 'endTime', { get: () => iso(endTime), enumerable: true });
    const closure = packed.closures[index];
    if (closure) run.closure = closure;
    const churn = packed.churns?.[index];
    if (churn) run.churn = churn;
    const failure = packed.failureRecords[index];
    if (failure) run.failure = failure;
    return run;
  });
  return {
    range: packed.range,
    rows,
    runs,
    failures: packed.failures.map(({ category, runs: indexes }) => ({
      category,
      runIds: indexes.map((index) => (runs[index] as TimelineRun).id),
    })),
  };
}

function unpackedPhases(
  phases: string | [PhaseKind, number, number][],
  ends: number[],
  start: number,
  end: number,
): Phase[] {
  if (typeof phases !== 'string')
    return phases.map(([kind, from, to]) => [kind, start + from, start + to]);
  let from = start;
  return [...phases].map((letter, index) => {
    const to = index < ends.length ? start + (ends[index] as number) : end;
    const phase: Phase = [PHASE_OF_LETTER[letter] as PhaseKind, from, to];
    from = to;
    return phase;
  });
}
