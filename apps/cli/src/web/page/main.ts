/**
 * The web view's page: reads its state from the URL, asks the server for that timeline, and draws
 * the filters, the timeline, the incidents and failures panels and the open run's details. Every change of
 * filter or run goes into the URL first, so the back button and shared links work.
 */
import type { FailedRun, Incident } from '@ecslog/incidents';
import type { TimelineRun } from '@ecslog/task-runs';
import { driftsByRun } from '@ecslog/task-runs';
import type {
  ErrorResponse,
  IncidentsResponse,
  TaskHistoryResponse,
  TimelineResponse,
  TimelineView,
} from '../api-types';
import { timelineViewOf } from '../api-types';
import { apiGet, requestTimeline } from './api-request';
import { byId, h, setText, show } from './dom';
import { renderFailures } from './failures-panel';
import { isMoment, renderIncidents, renderIncidentsMessage } from './incidents-panel';
import { formatLocalTime, localZone } from './format';
import { renderDetailsMessage, renderRunDetails } from './run-details';
import { createTimelineChart } from './timeline-chart';
import type { ViewState } from './view-state';
import { incidentsPathOf, RANGE_CHOICES, searchOf, viewStateOf, withFilters } from './view-state';

/** The status filter's choices: value and label. */
const STATUSES: [string, string][] = [
  ['failed', 'failed'],
  ['succeeded', 'succeeded'],
  ['stopped', 'stopped'],
  ['in-progress', 'in-progress'],
  ['not-started', 'not-started'],
  ['info', 'start call only, or closed'],
];

const filters = byId<HTMLFormElement>('filters');
const search = byId<HTMLFormElement>('search');
const searchInput = search.elements.namedItem('q') as HTMLInputElement;
const statusLine = byId('status-line');
const details = byId('details');
const failures = byId('failures');
const incidents = byId('incidents');
let state = viewStateOf(location.search);
// Asked for first (by first-request.js, before this script loaded): the chart and the filters
// get ready while the server answers.
const firstAnswer = requestTimeline(state);
let timeline: TimelineView | undefined;
/** Answers that arrive after a newer request started are dropped. */
let generation = 0;
/** The incidents shown are those of this request (the range's, not the search's). */
let incidentsPath: string | undefined;
let incidentsGeneration = 0;

const chart = createTimelineChart(byId('timeline'), (run) => openRun(run), onRendered);
Object.assign(window, { ecslog: { chart: chart.chart, timeline: () => timeline } });

window.addEventListener('popstate', () => {
  state = viewStateOf(location.search);
  void load();
});
filters.addEventListener('change', (event) => {
  const field = event.target as HTMLInputElement | HTMLSelectElement;
  const value = field.value;
  if (field.name === 'range')
    navigate(
      value === 'custom'
        ? withFilters(state, { since: undefined, from: customFrom(), to: undefined })
        : withFilters(state, { since: value }),
    );
  else if (field.name === 'from' || field.name === 'to')
    navigate(
      withFilters(state, { [field.name]: value ? new Date(value).toISOString() : undefined }),
    );
  else navigate(withFilters(state, { [field.name]: value || undefined }));
});
search.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = searchInput.value.trim();
  navigate({ ...state, q: text === '' ? undefined : text, run: undefined });
});
byId('zone').textContent = localZone();
void load(firstAnswer);

function navigate(next: ViewState): void {
  state = next;
  history.pushState(null, '', searchOf(state) || location.pathname);
  void load();
}

/** Shows the timeline of `state`, from `request` when it was asked for already. */
async function load(request = requestTimeline(state)): Promise<void> {
  const mine = (generation += 1);
  void loadIncidents();
  document.body.dataset['timeline'] = 'loading';
  statusLine.textContent = 'Loading…';
  searchInput.value = state.q ?? '';
  const response = await request;
  const answer = (await response.json()) as TimelineResponse | ErrorResponse;
  if (mine !== generation) return;
  if ('error' in answer) {
    setText(statusLine, `Cannot show this view: ${answer.error}`);
    statusLine.classList.add('error');
    document.body.dataset['timeline'] = 'error';
    return;
  }
  const body = timelineViewOf(answer);
  timeline = body;
  renderFilters(body);
  renderStatusLine(body);
  renderFailures(failures, body, (run) => openRun(run));
  chart.show(body, new Set(driftsByRun(body.drifts).keys()));
  // A task searched for by id is opened: its run is the one answer.
  if (body.search?.kind === 'task' && !state.run && body.runs[0]) {
    state = { ...state, run: body.runs[0].id };
    history.replaceState(null, '', searchOf(state));
  }
  const open = state.run ? body.runs.find((run) => run.id === state.run) : undefined;
  if (open) void showRun(open);
  else
    renderDetailsMessage(details, 'Click a run on the timeline, or a failure, to see its details.');
}

/** Shows the incidents of `state`'s cluster, group and range, unless they are shown already. */
async function loadIncidents(): Promise<void> {
  const path = incidentsPathOf(state);
  if (path === incidentsPath) return;
  incidentsPath = path;
  const mine = (incidentsGeneration += 1);
  document.body.dataset['incidents'] = 'loading';
  const answer = await apiGet(path)
    .then((response) => response.json() as Promise<IncidentsResponse | ErrorResponse>)
    .catch((error: unknown) => ({ error: `the web view did not answer (${String(error)})` }));
  if (mine !== incidentsGeneration) return;
  if ('error' in answer) {
    incidentsPath = undefined;
    renderIncidentsMessage(incidents, `Cannot show the incidents: ${answer.error}`);
    document.body.dataset['incidents'] = 'error';
    return;
  }
  renderIncidents(incidents, answer, Date.now(), showIncidentRun);
  document.body.dataset['incidents'] = 'ready';
}

/**
 * Shows an incident's last failed run: on the timeline when it is drawn there, else the task's
 * own timeline (a search by its id). A launch that never started, a silence and a missed run are
 * shown as the incident's service or family around the moment (the launch's run opened).
 */
function showIncidentRun(run: FailedRun, incident: Incident): void {
  const moment = isMoment(incident);
  const drawn = moment ? undefined : timeline?.runs.find((candidate) => candidate.id === run.runId);
  if (drawn) {
    openRun(drawn);
    return;
  }
  if (run.taskId !== undefined && !moment) {
    navigate({ ...state, q: run.taskId, run: run.runId });
    return;
  }
  const at = Date.parse(run.at);
  // Before a missed run or a silence, the runs that came before it; after, what followed.
  const before = moment ? 3 * 3_600_000 : 1_800_000;
  navigate(
    withFilters(state, {
      q: undefined,
      cluster: incident.key.clusterName,
      group: incident.key.group,
      from: new Date(at - before).toISOString(),
      to: new Date(at + 3_600_000).toISOString(),
      run: moment ? undefined : run.runId,
    }),
  );
}

function onRendered(): void {
  chart.select(state.run);
  document.body.dataset['timeline'] = 'ready';
  performance.mark('timeline-rendered');
}

function openRun(run: TimelineRun): void {
  state = { ...state, run: run.id };
  history.pushState(null, '', searchOf(state));
  chart.select(run.id);
  void showRun(run);
}

async function showRun(run: TimelineRun): Promise<void> {
  details.dataset['run'] = run.id;
  const context = {
    drifts: driftsByRun(timeline?.drifts ?? []).get(run.id) ?? [],
    matched:
      timeline?.search && timeline.search.kind !== 'task'
        ? { description: timeline.search.description, value: timeline.search.matched[run.id] }
        : undefined,
  };
  if (run.failure) {
    renderRunDetails(details, run, [run.failure], context);
    return;
  }
  renderDetailsMessage(details, 'Loading…');
  const response = await apiGet(`/api/task?arn=${encodeURIComponent(run.id)}`);
  const body = (await response.json()) as TaskHistoryResponse | ErrorResponse;
  if (details.dataset['run'] !== run.id) return;
  if ('error' in body) renderDetailsMessage(details, body.error);
  else
    renderRunDetails(details, run, body.records, { ...context, ec2InstanceId: body.ec2InstanceId });
  details.dataset['loaded'] = run.id;
  details.scrollIntoView({ block: 'nearest' });
}

function renderFilters(body: TimelineView): void {
  const clusters = body.choices.clusters;
  const groups = [...new Set(body.choices.groups.map((g) => g.group))];
  show(
    filters,
    select('cluster', 'Cluster', state.cluster, [
      ['', 'all clusters'],
      ...clusters.map((c) => [c, c] as [string, string]),
    ]),
    select('group', 'Service / family', state.group, [
      ['', 'all'],
      ...groups.map((g) => [g, g] as [string, string]),
    ]),
    select('status', 'Status', state.status, [['', 'any'], ...STATUSES]),
    select('range', 'Range', state.from ? 'custom' : (state.since ?? '24h'), [
      ...RANGE_CHOICES.map((r) => [r, `last ${r}`] as [string, string]),
      ['custom', 'from … to'],
    ]),
    state.from ? dateInput('from', 'From', state.from) : undefined,
    state.from ? dateInput('to', 'To', state.to) : undefined,
  );
}

function renderStatusLine(body: TimelineView): void {
  statusLine.classList.toggle('error', body.omitted !== undefined);
  if (body.omitted) {
    const counted = body.omitted.complete
      ? `${body.omitted.runs.toLocaleString('en-US')} task runs`
      : `At least ${body.omitted.runs.toLocaleString('en-US')} task runs${state.status ? ' (of any status)' : ''}`;
    statusLine.textContent =
      `${counted} between ${formatLocalTime(body.range.from)} and ${formatLocalTime(body.range.to)}: ` +
      `more than the ${body.omitted.limit.toLocaleString('en-US')} one timeline shows. Choose a shorter range, a cluster or a service/family.`;
    return;
  }
  const notStarted = body.runs.filter((run) => run.neverStarted).length;
  const startCallOnly = body.runs.filter((run) => run.endUnknown).length;
  const notes = [
    notStarted > 0 ? `${notStarted} never started` : '',
    startCallOnly > 0 ? `${startCallOnly} known only by the call that started them` : '',
  ].filter((note) => note !== '');
  const drifted = new Set(driftsByRun(body.drifts).keys()).size;
  if (drifted > 0)
    notes.push(
      `${drifted} with digest drift (${body.drifts.length} image reference${body.drifts.length === 1 ? '' : 's'})`,
    );
  const found = body.search ? ` ${body.search.description}` : '';
  setText(
    statusLine,
    `${body.runs.length} task run${body.runs.length === 1 ? '' : 's'}${found}` +
      (notes.length > 0 ? ` (${notes.join('; ')})` : '') +
      ` between ${formatLocalTime(body.range.from)} and ${formatLocalTime(body.range.to)} · ${body.store}`,
  );
}

function select(
  name: string,
  label: string,
  value: string | undefined,
  options: [string, string][],
) {
  const known = options.some(([v]) => v === (value ?? ''));
  const all = known || !value ? options : [...options, [value, value] as [string, string]];
  return h(
    'label',
    null,
    label,
    h(
      'select',
      { name },
      ...all.map(([v, text]) =>
        h('option', { value: v, selected: v === (value ?? '') ? '' : undefined }, text),
      ),
    ),
  );
}

function dateInput(name: string, label: string, iso: string | undefined) {
  return h(
    'label',
    null,
    label,
    h('input', { type: 'datetime-local', name, value: iso ? toLocalInput(iso) : undefined }),
  );
}

/** `datetime-local` inputs hold local time without a zone. */
function toLocalInput(iso: string): string {
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function customFrom(): string {
  return timeline?.range.from ?? new Date(Date.now() - 86_400_000).toISOString();
}
