/**
 * The timeline, drawn by Apache ECharts (canvas): a time axis, one row per lane of each service or
 * task family, a bar per run (pending, image pull and running shaded apart, coloured by outcome),
 * a mark per run that never started, and a start mark per run known only by the call that
 * started it. A bar clipped at the window's edge (a run that started before the window, ended
 * after it, or is still open) shows a chevron at that edge, pointing the way the run continues.
 * Zoom with the slider, or Ctrl + wheel; click a run for its details.
 *
 * The runs are one item of one custom series, whose drawing holds only the rows in view: ECharts
 * then keeps no model, data or element per run, so 10,000 runs cost what the ~50 rows in view
 * do. The tooltip and clicks find the run under the pointer from the drawing's layout.
 */
import * as echarts from 'echarts/core';
import { CustomChart } from 'echarts/charts';
import type { CustomSeriesOption } from 'echarts/charts';
import { DataZoomComponent, GridComponent } from 'echarts/components';
import type { DataZoomComponentOption, GridComponentOption } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { OutcomeStatus } from '@ecslog/ecs-event-mapper';
import type { Phase, Timeline, TimelineRun } from '@ecslog/task-runs';
import { formatDuration } from '../../output/time-format';
import { visibleText } from '../../output/visible-text';
import { escapeHtml } from './dom';
import { formatLocalTime } from './format';
import { describeTimeline } from '../timeline-summary';

echarts.use([CustomChart, GridComponent, DataZoomComponent, CanvasRenderer]);

type ChartOption = echarts.ComposeOption<
  CustomSeriesOption | GridComponentOption | DataZoomComponentOption
>;

/** Outcome colours; the legend in index.html names them. */
export const OUTCOME_COLOURS: Record<OutcomeStatus, string> = {
  succeeded: '#2e7d32',
  failed: '#c62828',
  stopped: '#6d7580',
  'in-progress': '#1565c0',
  info: '#6d7580',
};
/** How strongly each phase shows its outcome's colour: running full, pull half, pending faint. */
const PHASE_OPACITY: Record<Phase[0], number> = { pending: 0.28, pull: 0.6, running: 1 };
const NOT_STARTED_COLOUR = '#8e0000';
/** The one series: every run's bar or mark. */
const RUNS = 'runs';
/** A mark's half size; the pointer finds a mark this close to it. */
const MARK_PX = 6;

const ROW_PX = 16;
const GRID = { top: 36, bottom: 56, left: 230, right: 36 };
/** The row scroller's id. */
const ROWS_ZOOM = 'rows';
/** Rows shown at once at least, however small the window; more rows scroll (wheel or slider). */
const MIN_VISIBLE_ROWS = 12;
/** Room the page keeps above the chart for the header, status line and legend. */
const PAGE_CHROME_PX = 200;
/** Bars shorter than this still show (and can be clicked). */
const MIN_BAR_PX = 3;
/** How wide a continuing edge's chevron is; drawn only on bars at least twice as wide. */
const CHEVRON_PX = 4;
/** Half the size of the digest-drift marker, px. */
const DRIFT_MARK_PX = 4;
const DRIFT_COLOUR = '#f9a825';

export interface TimelineChart {
  /** Draws a timeline; runs in `drifted` (ids) get the digest-drift marker. */
  show(timeline: Timeline, drifted?: ReadonlySet<string>): void;
  /** Selects a run's bar or mark (as a click would), without calling `onSelect`. */
  select(runId: string | undefined): void;
  /** The ECharts instance: for the console and the browser tests. */
  readonly chart: echarts.ECharts;
}

/** Where the last drawing put rows and times: what the pointer is matched against. */
interface Layout {
  grid: { x: number; y: number; width: number; height: number };
  /** x = x0 + (t - t0) × pxPerMs; y of row r's centre = y0 + r × rowPx. */
  t0: number;
  x0: number;
  pxPerMs: number;
  y0: number;
  rowPx: number;
}

export function createTimelineChart(
  container: HTMLElement,
  onSelect: (run: TimelineRun) => void,
  onRendered: () => void,
): TimelineChart {
  const chart = echarts.init(container, null, { renderer: 'canvas' });
  const zr = chart.getZr();
  const tip = document.createElement('div');
  tip.className = 'timeline-tip';
  tip.hidden = true;
  container.append(tip);
  let runs: readonly TimelineRun[] = [];
  /** Ids of the runs marked for digest drift in their deployment. */
  let drifted: ReadonlySet<string> = new Set();
  /** Indexes into `runs` of each row's runs, in start order. */
  let byRow: number[][] = [];
  let selected: string | undefined;
  let layout: Layout | undefined;
  let waitingForRender = false;
  let rowCount = 0;
  let range = { from: 0, to: 0 };

  zr.on('click', (event) => {
    const run = runAt(event.offsetX, event.offsetY);
    if (run) onSelect(run);
  });
  zr.on('mousemove', (event) => {
    const run = runAt(event.offsetX, event.offsetY);
    zr.setCursorStyle(run ? 'pointer' : 'default');
    showTip(run, event.offsetX, event.offsetY);
  });
  zr.on('globalout', () => showTip(undefined, 0, 0));
  chart.on('hidetip', () => showTip(undefined, 0, 0));
  chart.on('datazoom', () => showTip(undefined, 0, 0));
  chart.on('finished', () => {
    if (!waitingForRender) return;
    waitingForRender = false;
    onRendered();
  });
  window.addEventListener('resize', () => chart.resize());
  // The wheel scrolls rows that do not fit, a row per ROW_PX of wheel; Ctrl + wheel zooms time.
  container.addEventListener(
    'wheel',
    (event) => {
      const rows = rowWindow();
      if (!rows || event.ctrlKey || event.deltaY === 0) return;
      const step =
        Math.sign(event.deltaY) * Math.max(1, Math.round(Math.abs(event.deltaY) / ROW_PX));
      const start = Math.min(Math.max(0, rows.start + step), rows.total - rows.size);
      if (start === rows.start) return;
      event.preventDefault();
      chart.dispatchAction({
        type: 'dataZoom',
        dataZoomId: ROWS_ZOOM,
        startValue: start,
        endValue: start + rows.size - 1,
      });
    },
    // Capture: the chart's own canvas handler stops the wheel event from bubbling.
    { passive: false, capture: true },
  );

  /** The rows in view, when they do not all fit. */
  function rowWindow(): { start: number; size: number; total: number } | undefined {
    const zoom = (
      chart.getOption() as { dataZoom?: { id?: string; startValue?: number; endValue?: number }[] }
    ).dataZoom?.find((candidate) => candidate.id === ROWS_ZOOM);
    if (zoom?.startValue === undefined || zoom.endValue === undefined) return undefined;
    return { start: zoom.startValue, size: zoom.endValue - zoom.startValue + 1, total: rowCount };
  }

  /** The run drawn at a point of the chart: a mark within MARK_PX, or a bar (≥ MIN_BAR_PX wide). */
  function runAt(x: number, y: number): TimelineRun | undefined {
    if (!layout) return undefined;
    const { grid, x0, t0, pxPerMs, y0, rowPx } = layout;
    if (x < grid.x || x > grid.x + grid.width || y < grid.y || y > grid.y + grid.height)
      return undefined;
    const row = Math.round((y - y0) / rowPx);
    let found: TimelineRun | undefined;
    for (const index of byRow[row] ?? []) {
      const run = runs[index] as TimelineRun;
      const left = x0 + (run.start - t0) * pxPerMs;
      if (isMark(run)) {
        if (Math.abs(x - left) <= MARK_PX && Math.abs(y - (y0 + row * rowPx)) <= MARK_PX)
          found = run;
        continue;
      }
      const right = Math.max(x0 + (run.end - t0) * pxPerMs, left + MIN_BAR_PX);
      // A lane's bars never overlap; the later of two touching ones wins, as it is drawn on top.
      if (x >= left - 1 && x <= right + 1) found = run;
    }
    return found;
  }

  function showTip(run: TimelineRun | undefined, x: number, y: number): void {
    if (!run) {
      tip.hidden = true;
      return;
    }
    // Built from escaped text only (escapeHtml): stop reasons and names come from ECS verbatim.
    tip.innerHTML = tooltipOf(run, drifted.has(run.id));
    tip.hidden = false;
    const width = container.clientWidth;
    const left = x + 14 + tip.offsetWidth > width ? Math.max(0, x - 14 - tip.offsetWidth) : x + 14;
    tip.style.left = `${left}px`;
    tip.style.top = `${Math.max(0, y - tip.offsetHeight - 10)}px`;
  }

  function show(timeline: Timeline, driftedRuns: ReadonlySet<string> = new Set()): void {
    runs = timeline.runs;
    drifted = driftedRuns;
    rowCount = timeline.rows.length;
    range = { from: Date.parse(timeline.range.from), to: Date.parse(timeline.range.to) };
    byRow = timeline.rows.map(() => []);
    runs.forEach((run, index) => byRow[run.row]?.push(index));
    layout = undefined;
    tip.hidden = true;
    // The chart is as tall as its rows, up to the window: beyond that its rows scroll, so that
    // thousands of rows cost one screen of canvas and only the rows in view are drawn.
    const fit = Math.max(
      MIN_VISIBLE_ROWS,
      Math.floor((window.innerHeight - PAGE_CHROME_PX - GRID.top - GRID.bottom) / ROW_PX),
    );
    const visibleRows = Math.min(Math.max(3, timeline.rows.length), fit);
    container.style.height = `${GRID.top + GRID.bottom + visibleRows * ROW_PX}px`;
    // The canvas says nothing to a screen reader: the timeline in words does.
    container.setAttribute('role', 'img');
    container.setAttribute('aria-label', describeTimeline(timeline, formatLocalTime));
    chart.resize();
    waitingForRender = true;
    chart.setOption(optionOf(timeline, visibleRows, seriesOf()), { notMerge: true });
  }

  function select(runId: string | undefined): void {
    if (runId === selected) return;
    selected = runId;
    if (runs.length > 0) chart.setOption({ series: [seriesOf()] });
  }

  /** The runs' series: one item, drawn as the rows in view. */
  function seriesOf(): CustomSeriesOption {
    return {
      id: RUNS,
      type: 'custom',
      // The item spans the whole range and every row: no zoom filters it out.
      encode: { x: 0, y: 1 },
      data: runs.length > 0 ? [[range.from, 0]] : [],
      silent: true,
      renderItem: (params, api) => {
        const grid = params.coordSys as unknown as Layout['grid'];
        const [x0, y0] = api.coord([range.from, 0]) as [number, number];
        const span = Math.max(1, range.to - range.from);
        const x1 = (api.coord([range.to, 0]) as number[])[0] as number;
        const rowPx = (api.size?.([0, 1]) as number[])[1] as number;
        const drawn: Layout = { grid, t0: range.from, x0, pxPerMs: (x1 - x0) / span, y0, rowPx };
        layout = drawn;
        return { type: 'group', children: rowsInView(drawn) };
      },
    };
  }

  /** The bars and marks of the rows in view, each cut to the grid. */
  function rowsInView(drawn: Layout) {
    const { grid, rowPx, y0 } = drawn;
    const first = Math.max(0, Math.floor((grid.y - y0) / rowPx));
    const last = Math.min(rowCount - 1, Math.ceil((grid.y + grid.height - y0) / rowPx));
    const children = [];
    for (let row = first; row <= last; row += 1)
      for (const index of byRow[row] ?? []) {
        const run = runs[index] as TimelineRun;
        const element = isMark(run) ? markOf(run, drawn) : barOf(run, drawn);
        if (element) children.push(element);
      }
    return children;
  }

  function barOf(run: TimelineRun, drawn: Layout) {
    const { grid, x0, t0, pxPerMs, y0, rowPx } = drawn;
    const xOf = (t: number) => x0 + (t - t0) * pxPerMs;
    const left = xOf(run.start);
    const right = Math.max(xOf(run.end), left + MIN_BAR_PX);
    if (right < grid.x || left > grid.x + grid.width) return undefined;
    const y = y0 + run.row * rowPx;
    const barHeight = Math.max(4, rowPx * 0.62);
    const colour = OUTCOME_COLOURS[run.status];
    const isSelected = run.id === selected;
    const children = [];
    for (const [index, [kind, from, to]] of run.phases.entries()) {
      const x = xOf(from);
      const end = index === run.phases.length - 1 ? Math.max(xOf(to), right) : xOf(to);
      const shape = echarts.graphic.clipRectByRect(
        { x, y: y - barHeight / 2, width: Math.max(0, end - x), height: barHeight },
        grid,
      );
      if (shape)
        children.push({
          type: 'rect' as const,
          name: `phase:${kind}`,
          shape,
          // Pending and pull are shaded lighter, outlined in full: a short failed pull still shows red.
          style: {
            fill: withAlpha(colour, PHASE_OPACITY[kind]),
            stroke: isSelected ? '#111' : colour,
            lineWidth: isSelected ? 2 : 1,
          },
        });
    }
    if (children.length === 0) return undefined;
    if (right - left >= 2 * CHEVRON_PX + 2) {
      if (run.continuesBefore) children.push(...chevronAt(left, y, barHeight, -1, grid));
      if (run.continuesAfter) children.push(...chevronAt(right, y, barHeight, 1, grid));
    }
    if (drifted.has(run.id)) children.push(...driftMarkAt(left, y - barHeight / 2, grid));
    return { type: 'group' as const, name: 'run', children };
  }

  function markOf(run: TimelineRun, drawn: Layout) {
    const { grid, x0, t0, pxPerMs, y0, rowPx } = drawn;
    const x = x0 + (run.start - t0) * pxPerMs;
    const y = y0 + run.row * rowPx;
    if (x < grid.x || x > grid.x + grid.width) return undefined;
    const r = MARK_PX;
    const isSelected = run.id === selected;
    // A run known only by its start call: an open circle where it started, nothing after.
    if (run.endUnknown)
      return {
        type: 'circle' as const,
        name: 'start-call',
        shape: { cx: x, cy: y, r: r - 1 },
        style: {
          fill: '#fff',
          stroke: isSelected ? '#111' : OUTCOME_COLOURS.info,
          lineWidth: 2,
        },
      };
    return {
      type: 'polygon' as const,
      name: 'not-started',
      shape: {
        points: [
          [x - r, y - r],
          [x + r, y - r],
          [x, y + r],
        ],
      },
      style: {
        fill: NOT_STARTED_COLOUR,
        stroke: isSelected ? '#111' : '#fff',
        lineWidth: isSelected ? 2 : 1,
      },
    };
  }

  return { show, select, chart };
}

function isMark(run: TimelineRun): boolean {
  return run.neverStarted || run.endUnknown;
}

function optionOf(
  timeline: Timeline,
  visibleRows: number,
  series: CustomSeriesOption,
): ChartOption {
  const scrollsRows = timeline.rows.length > visibleRows;
  // Drawn on the canvas, so shown escaped here (the page's text goes through dom.ts).
  const rowLabels = timeline.rows.map((row) =>
    row.lane === 0 ? visibleText(`${row.group}  ·  ${row.clusterName}`) : '',
  );
  return {
    animation: false,
    grid: { ...GRID, containLabel: false },
    xAxis: {
      type: 'time',
      position: 'top',
      min: Date.parse(timeline.range.from),
      max: Date.parse(timeline.range.to),
      splitLine: { show: true, lineStyle: { color: '#eceff3' } },
      axisLabel: { hideOverlap: true },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: rowLabels.length > 0 ? rowLabels : [''],
      axisTick: { show: false },
      axisLine: { show: false },
      axisLabel: { interval: 0, width: GRID.left - 16, overflow: 'truncate', color: '#27303a' },
      splitLine: {
        show: true,
        interval: (index: number) => timeline.rows[index + 1]?.lane === 0,
        lineStyle: { color: '#d5dae1' },
      },
    },
    // The series is drawn from the zooms' axes, not filtered by them.
    dataZoom: [
      { type: 'slider', xAxisIndex: 0, filterMode: 'none', bottom: 12, height: 22 },
      {
        type: 'inside',
        xAxisIndex: 0,
        filterMode: 'none',
        zoomOnMouseWheel: 'ctrl',
        moveOnMouseWheel: false,
      },
      ...(scrollsRows
        ? ([
            {
              id: ROWS_ZOOM,
              type: 'slider',
              yAxisIndex: 0,
              filterMode: 'none',
              right: 8,
              width: 14,
              startValue: 0,
              endValue: visibleRows - 1,
              zoomLock: true,
              showDetail: false,
              brushSelect: false,
            },
          ] satisfies DataZoomComponentOption[])
        : []),
    ],
    series: [series],
  };
}

/**
 * A chevron just inside a bar's clipped edge at `x`, pointing out of the bar (`direction` -1: to
 * the left, before the window; 1: to the right, after it or still running). Left out when the
 * edge is zoomed out of view.
 */
function chevronAt(
  x: number,
  y: number,
  barHeight: number,
  direction: -1 | 1,
  grid: { x: number; width: number },
) {
  if (x < grid.x || x > grid.x + grid.width) return [];
  const tip = x - direction * 1.5;
  const back = tip - direction * CHEVRON_PX;
  const half = Math.max(2, barHeight / 2 - 2);
  return [
    {
      type: 'polyline' as const,
      name: direction < 0 ? 'continues-before' : 'continues-after',
      silent: true,
      shape: {
        points: [
          [back, y - half],
          [tip, y],
          [back, y + half],
        ],
      },
      style: { stroke: '#ffffff', fill: 'none', lineWidth: 1.5 },
    },
  ];
}

/**
 * The digest-drift marker of a bar: a small amber diamond on its top edge, at its start. Left
 * out when that start is zoomed out of view.
 */
function driftMarkAt(x: number, y: number, grid: { x: number; width: number }) {
  if (x < grid.x || x > grid.x + grid.width) return [];
  const r = DRIFT_MARK_PX;
  const cx = x + r + 1;
  return [
    {
      type: 'polygon' as const,
      name: 'digest-drift',
      silent: true,
      shape: {
        points: [
          [cx, y - r],
          [cx + r, y],
          [cx, y + r],
          [cx - r, y],
        ],
      },
      style: { fill: DRIFT_COLOUR, stroke: '#5d4037', lineWidth: 1 },
    },
  ];
}

/** `#c62828` at 0.6 → `#c6282899`. */
function withAlpha(colour: string, opacity: number): string {
  return `${colour}${Math.round(opacity * 255)
    .toString(16)
    .padStart(2, '0')}`;
}

function tooltipOf(run: TimelineRun, drifted: boolean): string {
  const lines = [
    `<strong>${escapeHtml(run.taskId ?? 'not started')}</strong> · ${escapeHtml(run.group)} · ${escapeHtml(run.clusterName)}`,
    [
      statusOf(run),
      (run.category ?? run.churn) ? `${run.status}: ${run.category ?? run.churn}` : run.status,
    ]
      .filter((part) => part !== undefined)
      .map(escapeHtml)
      .join(' · '),
    escapeHtml(run.summary),
    isMark(run)
      ? escapeHtml(formatLocalTime(run.start))
      : `${escapeHtml(formatLocalTime(run.startTime))}${run.continuesBefore ? ' (before the window)' : ''} → ${escapeHtml(endOf(run))}`,
    run.phases
      .map(([kind, from, to]) => `${kind} ${escapeHtml(formatDuration(to - from))}`)
      .join(' · '),
    drifted ? 'digest drift: its deployment ran its image as more than one digest' : '',
  ];
  return lines.filter((line) => line !== '').join('<br>');
}

/** How a bar's run ends, in words: still running, closed, or when it ended (after the window). */
function endOf(run: TimelineRun): string {
  if (run.open) return 'still running';
  const at = run.endTime === undefined ? formatLocalTime(run.end) : formatLocalTime(run.endTime);
  const after = run.continuesAfter ? ' (after the window)' : '';
  return run.runEnd === 'closed' ? `closed ${at}${after}` : `${at}${after}`;
}

/** What the tooltip says of the task's state: absent for a run known only by its StopTask call. */
function statusOf(run: TimelineRun): string | undefined {
  if (run.neverStarted) return 'never started';
  if (run.endUnknown) return 'started; end not recorded';
  if (run.runEnd === 'closed') return 'closed without its STOPPED state change';
  return run.lastStatus;
}
