/**
 * The timeline in words, for screen readers (the chart is a canvas): how many runs, in how many
 * groups, over what range, and how they ended — failures by category. Pure.
 */
import type { OutcomeStatus } from '@ecslog/ecs-event-mapper';
import type { Timeline } from '@ecslog/task-runs';

/** The order outcomes are told in, and their words. */
const OUTCOME_WORDS: [OutcomeStatus, string][] = [
  ['succeeded', 'succeeded'],
  ['failed', 'failed'],
  ['stopped', 'stopped'],
  ['in-progress', 'running'],
  // A bar of an info outcome is a run a later writer closed (start-call marks are told apart).
  ['info', 'closed without a recorded stop'],
];

export function describeTimeline(timeline: Timeline, formatTime: (iso: string) => string): string {
  const { runs } = timeline;
  const groups = new Set(timeline.rows.map((row) => `${row.clusterName}\u0000${row.group}`)).size;
  const range = `between ${formatTime(timeline.range.from)} and ${formatTime(timeline.range.to)}`;
  if (runs.length === 0) return `Timeline: no task runs ${range}.`;

  const neverStarted = runs.filter((run) => run.neverStarted).length;
  const startCallOnly = runs.filter((run) => run.endUnknown).length;
  const bars = runs.filter((run) => !run.neverStarted && !run.endUnknown);
  const parts = [
    ...OUTCOME_WORDS.map(([status, words]) => {
      const count = bars.filter((run) => run.status === status).length;
      return count > 0 ? `${count} ${words}` : '';
    }),
    neverStarted > 0 ? `${neverStarted} never started` : '',
    startCallOnly > 0 ? `${startCallOnly} known only by the call that started them` : '',
  ];
  const failures = timeline.failures.map(({ category, runIds }) => `${runIds.length} ${category}`);
  return (
    `Timeline of ${counted(runs.length, 'task run')} in ${counted(groups, 'group')} (service or family) ${range}: ` +
    `${parts.filter((part) => part !== '').join(', ')}.` +
    (failures.length > 0
      ? ` Failures by category: ${failures.join(', ')}; the failures panel links to each.`
      : '')
  );
}

function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
