/**
 * The incidents panel: the incidents of the view's range, open ones first, each with what it is
 * about, how many runs failed, when it opened and how long it lasted, the first failure's
 * classified reason and its verbatim stop reason, and a button that shows its last run (or, for a
 * silence or a missed run, its group around the moment it is about).
 */
import type { FailedRun, Incident, ResolutionReason } from '@ecslog/incidents';
import { formatDuration } from '../../output/time-format';
import type { IncidentsResponse } from '../api-types';
import { h, show } from './dom';
import { formatLocalTime } from './format';

/** Incidents listed before "and N more" (a range of days holds a few dozen at most). */
const LISTED = 50;

const KIND_WORDS: Record<Incident['key']['kind'], string> = {
  failure: 'failure',
  'crash-loop': 'crash loop',
  silence: 'fewer tasks than desired',
  'missed-run': 'missed scheduled run',
};

const RESOLUTION_WORDS: Record<ResolutionReason, string> = {
  'steady-state': 'the service reached steady state',
  'next-run-succeeded': 'the next run succeeded',
  'quiet-period': 'no failure for the quiet period',
  'running-as-desired': 'running as many tasks as desired',
  'ran-again': 'the job ran again',
};

/**
 * Shows `answer`'s incidents; `onSelect` shows an incident's last run (or moment). `now`: the
 * page's clock.
 */
export function renderIncidents(
  panel: HTMLElement,
  answer: IncidentsResponse,
  now: number,
  onSelect: (run: FailedRun, incident: Incident) => void,
): void {
  const open = answer.incidents.filter((incident) => incident.status === 'open').length;
  const resolved = answer.incidents.length - open;
  show(
    panel,
    h('h2', { id: 'incidents-heading' }, `Incidents (${open} open, ${resolved} resolved)`),
    answer.unavailable !== undefined
      ? h('p', { class: 'quiet' }, `No incidents to show: ${answer.unavailable}.`)
      : answer.incidents.length === 0
        ? h('p', { class: 'quiet' }, 'No incidents in this range.')
        : h(
            'ul',
            { class: 'incident-list', 'aria-labelledby': 'incidents-heading' },
            ...answer.incidents
              .slice(0, LISTED)
              .map((incident) => incidentItem(incident, now, onSelect)),
            answer.incidents.length > LISTED
              ? h('li', { class: 'quiet' }, `and ${answer.incidents.length - LISTED} more`)
              : undefined,
          ),
  );
}

/** Shows why the incidents could not be read, in the panel. */
export function renderIncidentsMessage(panel: HTMLElement, message: string): void {
  show(panel, h('h2', null, 'Incidents'), h('p', { class: 'error' }, message));
}

/**
 * A silence or a missed run is about a moment, not a run: its failure's `runId` names the moment
 * (`silence:<since>`, `missed:<expected>`), and the panel shows the group around it.
 */
export function isMoment(incident: Incident): boolean {
  return incident.key.kind === 'silence' || incident.key.kind === 'missed-run';
}

function lastRunName(run: FailedRun): string {
  if (run.taskId !== undefined) return run.taskId;
  return run.reason ? `never started (${run.reason})` : 'never started';
}

function incidentItem(
  incident: Incident,
  now: number,
  onSelect: (run: FailedRun, incident: Incident) => void,
): HTMLLIElement {
  const { key, first, last } = incident;
  const what = key.category ? `${KIND_WORDS[key.kind]}: ${key.category}` : KIND_WORDS[key.kind];
  const opened = Date.parse(incident.openedAt);
  const reason = first.stoppedReason ?? first.reason;
  const button = h(
    'button',
    {
      type: 'button',
      class: 'run-link',
      'data-run': isMoment(incident) ? undefined : last.runId,
      'aria-label': isMoment(incident)
        ? `Show ${key.group} in ${key.clusterName} around ${formatLocalTime(last.at)} on the timeline`
        : `Show the last failed run of ${key.group} in ${key.clusterName}: ${lastRunName(last)}`,
    },
    isMoment(incident) ? 'Show on timeline' : 'Show last run',
  );
  button.addEventListener('click', () => onSelect(last, incident));
  return h(
    'li',
    {
      class: `incident incident-${incident.status}`,
      'data-incident': `${incident.id}#${incident.episode}`,
      'data-status': incident.status,
    },
    h(
      'h3',
      null,
      h('span', { class: `incident-status ${incident.status}` }, incident.status),
      ` ${what}`,
    ),
    h(
      'p',
      { class: 'incident-where' },
      h('span', { class: 'group' }, key.group),
      h('span', { class: 'quiet' }, ` in ${key.clusterName}`),
      ` · ${incident.failedRuns} failed run${incident.failedRuns === 1 ? '' : 's'}`,
    ),
    h(
      'p',
      { class: 'incident-when' },
      'opened ',
      h('time', { datetime: incident.openedAt }, formatLocalTime(incident.openedAt)),
      incident.status === 'open'
        ? `, open for ${formatDuration(Math.max(0, now - opened))}`
        : ` (${formatDuration(Math.max(0, now - opened))} ago), lasted ` +
            formatDuration(Date.parse(incident.resolvedAt ?? incident.lastFailureAt) - opened) +
            (incident.resolution ? `: ${RESOLUTION_WORDS[incident.resolution]}` : ''),
    ),
    incident.detail ? h('p', { class: 'incident-detail' }, incident.detail) : undefined,
    h('p', { class: 'incident-summary', title: first.summary }, first.summary),
    reason
      ? h(
          'details',
          { class: 'incident-reason' },
          h(
            'summary',
            { title: reason },
            h('span', { class: 'quiet' }, first.stoppedReason ? 'Stopped reason ' : 'Reason '),
            h('span', { class: 'reason-text' }, reason),
          ),
          h('p', { class: 'reason-full' }, reason),
        )
      : undefined,
    button,
  );
}
