/** The failures panel: failed runs by category, with counts; each run links to its details. */
import type { Timeline, TimelineRun } from '@ecslog/task-runs';
import { h, show } from './dom';

/** Runs listed per category before "and N more" (the timeline shows them all). */
const LISTED = 40;

export function renderFailures(
  panel: HTMLElement,
  timeline: Timeline,
  onSelect: (run: TimelineRun) => void,
): void {
  const byId = new Map(timeline.runs.map((run) => [run.id, run]));
  const total = timeline.failures.reduce((sum, entry) => sum + entry.runIds.length, 0);
  show(
    panel,
    h('h2', null, `Failures (${total})`),
    total === 0 ? h('p', { class: 'quiet' }, 'No failed runs in this view.') : undefined,
    ...timeline.failures.map(({ category, runIds }) =>
      h(
        'details',
        {
          class: 'failure-category',
          'data-category': category,
          open: runIds.length <= 5 ? '' : undefined,
        },
        h(
          'summary',
          null,
          h('span', { class: 'category' }, category),
          h('span', { class: 'count' }, runIds.length),
        ),
        h(
          'ul',
          null,
          ...runIds.slice(0, LISTED).map((id) => {
            const run = byId.get(id) as TimelineRun;
            const link = h(
              'button',
              { type: 'button', class: 'run-link', 'data-run': run.id, title: run.summary },
              run.taskId ?? 'never started',
              h('span', { class: 'quiet' }, ` ${run.group}`),
            );
            link.addEventListener('click', () => onSelect(run));
            return h('li', null, link);
          }),
          runIds.length > LISTED
            ? h('li', { class: 'quiet' }, `and ${runIds.length - LISTED} more on the timeline`)
            : undefined,
        ),
      ),
    ),
  );
}
