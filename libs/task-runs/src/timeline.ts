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
import type { AuditRecord, FailureCategory, OutcomeStatus } from '@ecslog/ecs-event-mapper';
import { FAILURE_CATEGORIES } from '@ecslog/ecs-event-mapper';
import type { RunClosure, RunEnd, TaskRun } from './task-runs';
import { isActiveDuring } from './task-runs';

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
  const bars = runs
    .filter((run) => isActiveDuring(run, range))
    .map((run) => toTimelineRun(run, window, now))
    .sort((a, b) => a.start - b.start || a.id.localeCompare(b.id));

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
    const laneEnds: number[] = [];
    const firstRow = rows.length;
    for (const bar of members) {
      // A launch that never started is marked on its group's first row; bars (and the start
      // marks of runs known only by their start call, of no length) take the first lane free
      // at their start, so that each can be told apart and clicked.
      let lane = bar.neverStarted ? 0 : laneEnds.findIndex((end) => end < bar.start);
      if (lane === -1) lane = laneEnds.length;
      if (!bar.neverStarted) laneEnds[lane] = bar.end;
      else if (laneEnds.length === 0) laneEnds[0] = Number.NEGATIVE_INFINITY;
      bar.row = firstRow + lane;
    }
    const first = members[0] as TimelineRun;
    for (let lane = 0; lane < Math.max(1, laneEnds.length); lane += 1)
      rows.push({ group: first.group, clusterName: first.clusterName, lane });
  }
  return { range, rows, runs: bars, failures: failuresOf(bars) };
}

function toTimelineRun(
  run: TaskRun,
  window: { from: number; to: number },
  now: number,
): TimelineRun {
  const { record, neverStarted } = run;
  const runStart = Date.parse(run.startTime);
  const endUnknown = run.knownOnlyBy === 'start-call';
  const base = {
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
    ...(run.endTime !== undefined && { endTime: run.endTime }),
    runEnd: run.end,
    ...(run.closure !== undefined && { closure: run.closure }),
  };
  // A mark is of no length: active in the window, it is inside it.
  const mark = { start: runStart, end: runStart, phases: [], open: false };
  const inside = { continuesBefore: false, continuesAfter: false };
  if (neverStarted) return { ...base, ...mark, ...inside, failure: record };
  if (endUnknown) return { ...base, ...mark, ...inside };
  const open = run.end === 'open';
  // An open run runs to now, and at least to the last news of it (a clock behind the records').
  const runEnd = open
    ? Math.max(now, time(record.eventTime) ?? runStart)
    : Math.max(runStart, time(run.endTime) ?? runStart);
  const start = Math.max(runStart, window.from);
  const end = Math.max(start, Math.min(runEnd, window.to));
  return {
    ...base,
    start,
    end,
    phases: phasesOf(record, start, end),
    open,
    continuesBefore: runStart < window.from,
    continuesAfter: open || runEnd > window.to,
  };
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
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}
