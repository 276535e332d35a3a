/**
 * The timeline, drawn by Apache ECharts (canvas): a time axis, one row per lane of each service or
 * task family, a bar per run (pending, image pull and running shaded apart, coloured by outcome),
 * a mark per run that never started, and a start mark per run known only by the call that
 * started it. A bar clipped at the window's edge (a run that started before the window, ended
 * after it, or is still open) shows a chevron at that edge, pointing the way the run continues.
 * Zoom with the slider, or Ctrl + wheel; click a run for its details.
 */
import * as echarts from 'echarts/core';
import { CustomChart } from 'echarts/charts';
import type { CustomSeriesOption } from 'echarts/charts';
import { DataZoomComponent, GridComponent, TooltipComponent } from 'echarts/components';
import type {
  DataZoomComponentOption,
  GridComponentOption,
  TooltipComponentOption,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { OutcomeStatus } from '@ecslog/ecs-event-mapper';
import type { Phase, Timeline, TimelineRun } from '@ecslog/task-runs';
import { formatDuration } from '../../output/time-format';
import { visibleText } from '../../output/visible-text';
import { escapeHtml } from './dom';
import { formatLocalTime } from './format';
import { describeTimeline } from '../timeline-summary';

echarts.use([CustomChart, GridComponent, TooltipComponent, DataZoomComponent, CanvasRenderer]);

type ChartOption = echarts.ComposeOption<
  CustomSeriesOption | GridComponentOption | TooltipComponentOption | DataZoomComponentOption
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
/** The marks series: runs that never started, and runs known only by their start call. */
const MARKS = 'marks';

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

export interface TimelineChart {
  show(timeline: Timeline): void;
  /** Selects a run's bar or mark (as a click would), without calling `onSelect`. */
  select(runId: string | undefined): void;
  /** The ECharts instance: for the console and the browser tests. */
  readonly chart: echarts.ECharts;
}

export function createTimelineChart(
  container: HTMLElement,
  onSelect: (run: TimelineRun) => void,
  onRendered: () => void,
): TimelineChart {
  const chart = echarts.init(container, null, { renderer: 'canvas' });
  let bars: TimelineRun[] = [];
  let marks: TimelineRun[] = [];
  let waitingForRender = false;
  let rowCount = 0;

  chart.on('click', (params) => {
    const run = (params.seriesId === 'runs' ? bars : marks)[params.dataIndex];
    if (run) onSelect(run);
  });
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

  function show(timeline: Timeline): void {
    bars = timeline.runs.filter((run) => !isMark(run));
    rowCount = timeline.rows.length;
    marks = timeline.runs.filter(isMark);
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
    chart.setOption(optionOf(timeline, bars, marks, visibleRows), { notMerge: true });
  }

  function select(runId: string | undefined): void {
    chart.dispatchAction({ type: 'unselect', seriesId: ['runs', MARKS] });
    if (runId === undefined) return;
    const bar = bars.findIndex((run) => run.id === runId);
    if (bar >= 0) chart.dispatchAction({ type: 'select', seriesId: 'runs', dataIndex: bar });
    const mark = marks.findIndex((run) => run.id === runId);
    if (mark >= 0) chart.dispatchAction({ type: 'select', seriesId: MARKS, dataIndex: mark });
  }

  return { show, select, chart };
}

function isMark(run: TimelineRun): boolean {
  return run.neverStarted || run.endUnknown;
}

function optionOf(
  timeline: Timeline,
  bars: TimelineRun[],
  marks: TimelineRun[],
  visibleRows: number,
): ChartOption {
  const scrollsRows = timeline.rows.length > visibleRows;
  // Drawn on the canvas, so shown escaped here (the page's text goes through dom.ts).
  const rowLabels = timeline.rows.map((row) =>
    row.lane === 0 ? visibleText(`${row.group}  ·  ${row.clusterName}`) : '',
  );
  return {
    animation: false,
    grid: { ...GRID, containLabel: false },
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (params) => {
        const item = Array.isArray(params) ? params[0] : params;
        const run = (item?.seriesId === 'runs' ? bars : marks)[item?.dataIndex ?? -1];
        return run ? tooltipOf(run) : '';
      },
    },
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
    dataZoom: [
      { type: 'slider', xAxisIndex: 0, filterMode: 'weakFilter', bottom: 12, height: 22 },
      {
        type: 'inside',
        xAxisIndex: 0,
        filterMode: 'weakFilter',
        zoomOnMouseWheel: 'ctrl',
        moveOnMouseWheel: false,
      },
      ...(scrollsRows
        ? ([
            {
              id: ROWS_ZOOM,
              type: 'slider',
              yAxisIndex: 0,
              filterMode: 'weakFilter',
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
    series: [
      {
        id: 'runs',
        type: 'custom',
        // Drawn in one go: progressive drawing spreads a large timeline over many frames.
        progressive: 0,
        selectedMode: 'single',
        encode: { x: [0, 1], y: 2 },
        data: bars.map((run) => [run.start, run.end, run.row]),
        renderItem: (params, api) => {
          const run = bars[params.dataIndex] as TimelineRun;
          const [, y] = api.coord([run.start, run.row]) as [number, number];
          const height = (api.size?.([0, 1]) as number[])[1] as number;
          const barHeight = Math.max(4, height * 0.62);
          const grid = params.coordSys as unknown as {
            x: number;
            y: number;
            width: number;
            height: number;
          };
          const colour = OUTCOME_COLOURS[run.status];
          const children = run.phases.map(([kind, from, to], index) => {
            const x0 = (api.coord([from, run.row]) as number[])[0] as number;
            let x1 = (api.coord([to, run.row]) as number[])[0] as number;
            if (index === run.phases.length - 1) x1 = Math.max(x1, firstX(api, run) + MIN_BAR_PX);
            const shape = echarts.graphic.clipRectByRect(
              { x: x0, y: y - barHeight / 2, width: Math.max(0, x1 - x0), height: barHeight },
              grid,
            );
            return shape
              ? {
                  type: 'rect' as const,
                  name: `phase:${kind}`,
                  shape,
                  // Pending and pull are shaded lighter, outlined in full: a short failed pull still shows red.
                  style: {
                    fill: withAlpha(colour, PHASE_OPACITY[kind]),
                    stroke: colour,
                    lineWidth: 1,
                  },
                  select: { style: { stroke: '#111', lineWidth: 2 } },
                }
              : undefined;
          });
          const drawn = children.filter((child) => child !== undefined);
          if (drawn.length === 0) return null;
          const left = firstX(api, run);
          const right = Math.max(
            (api.coord([run.end, run.row]) as number[])[0] as number,
            left + MIN_BAR_PX,
          );
          const chevrons = [
            run.continuesBefore && chevronAt(left, y, barHeight, -1, grid),
            run.continuesAfter && chevronAt(right, y, barHeight, 1, grid),
          ].filter((chevron) => chevron !== false && chevron !== undefined);
          const wideEnough = right - left >= 2 * CHEVRON_PX + 2;
          return {
            type: 'group',
            name: 'run',
            children: wideEnough ? [...drawn, ...chevrons] : drawn,
          };
        },
      },
      {
        id: MARKS,
        type: 'custom',
        progressive: 0,
        selectedMode: 'single',
        encode: { x: 0, y: 1 },
        data: marks.map((run) => [run.start, run.row]),
        renderItem: (params, api) => {
          const run = marks[params.dataIndex] as TimelineRun;
          const [x, y] = api.coord([run.start, run.row]) as [number, number];
          const grid = params.coordSys as unknown as { x: number; width: number };
          if (x < grid.x || x > grid.x + grid.width) return null;
          const r = 6;
          const select = { style: { stroke: '#111', lineWidth: 2 } };
          // A run known only by its start call: an open circle where it started, nothing after.
          if (run.endUnknown)
            return {
              type: 'circle',
              name: 'start-call',
              shape: { cx: x, cy: y, r: r - 1 },
              style: { fill: '#fff', stroke: OUTCOME_COLOURS.info, lineWidth: 2 },
              select,
            };
          return {
            type: 'polygon',
            name: 'not-started',
            shape: {
              points: [
                [x - r, y - r],
                [x + r, y - r],
                [x, y + r],
              ],
            },
            style: { fill: NOT_STARTED_COLOUR, stroke: '#fff', lineWidth: 1 },
            select,
          };
        },
      },
    ],
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
  if (x < grid.x || x > grid.x + grid.width) return undefined;
  const tip = x - direction * 1.5;
  const back = tip - direction * CHEVRON_PX;
  const half = Math.max(2, barHeight / 2 - 2);
  return {
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
  };
}

/** `#c62828` at 0.6 → `#c6282899`. */
function withAlpha(colour: string, opacity: number): string {
  return `${colour}${Math.round(opacity * 255)
    .toString(16)
    .padStart(2, '0')}`;
}

function firstX(api: { coord: (value: number[]) => number[] }, run: TimelineRun): number {
  return api.coord([run.start, run.row])[0] as number;
}

function tooltipOf(run: TimelineRun): string {
  const lines = [
    `<strong>${escapeHtml(run.taskId ?? 'not started')}</strong> · ${escapeHtml(run.group)} · ${escapeHtml(run.clusterName)}`,
    [statusOf(run), run.category ? `${run.status}: ${run.category}` : run.status]
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
