/** What every rendering of a message says, in plain words (not escaped: each renderer escapes). Pure. */
import type { FailedRun, Incident, IncidentMessage, ResolutionReason } from './incident';
import { minutesBetween } from './time';

/** Links a message carries: the ECS console page of the run's task (or the cluster's tasks) and the CLI command. */
export interface MessageLinks {
  console: string;
  /** `ecslog task <taskId>`; absent for a run without a task (a placement failure, a silence). */
  command?: string;
}

/**
 * The ECS console page of a failed run's task, or of the cluster's tasks when it has none:
 * `https://<region>.console.aws.amazon.com/ecs/v2/clusters/<cluster>/tasks/<taskId>`.
 */
export function linksOf(incident: Incident): MessageLinks {
  const run = incident.last;
  const base = `https://${encodeURIComponent(run.region)}.console.aws.amazon.com/ecs/v2/clusters/${encodeURIComponent(incident.key.clusterName)}/tasks`;
  if (run.taskId === undefined) return { console: base };
  return {
    console: `${base}/${encodeURIComponent(run.taskId)}`,
    command: `ecslog task ${run.taskId}`,
  };
}

/** "out-of-memory failures", "crash loop", "fewer tasks than desired", "missed scheduled run". */
export function subjectOf(incident: Incident): string {
  switch (incident.key.kind) {
    case 'failure':
      return `${incident.key.category ?? 'other'} failures`;
    case 'crash-loop':
      return 'crash loop';
    case 'silence':
      return 'fewer tasks than desired';
    case 'missed-run':
      return 'missed scheduled run';
  }
}

const REASONS: Record<ResolutionReason, string> = {
  'steady-state': 'the service reached steady state',
  'next-run-succeeded': 'the next run succeeded',
  'quiet-period': 'no failure for the quiet period',
  'running-as-desired': 'as many tasks running as desired',
  'ran-again': 'the job ran again',
};

/** One line: what happened to which incident. */
export function headlineOf(message: IncidentMessage): string {
  const { incident } = message;
  const where = `${incident.key.group} in ${incident.key.clusterName}`;
  const what = `${subjectOf(incident)}: ${where}`;
  switch (message.kind) {
    case 'opened':
      return `Incident opened, ${what}`;
    case 'updated':
      return `Incident updated, ${what}: ${plural(message.failedRunsSinceLastMessage ?? 0, 'more failed run')} (${incident.failedRuns} in all)`;
    case 'resolved':
      return `Incident resolved, ${what} after ${durationOf(incident)}`;
  }
}

/** The facts under the headline, as label/value pairs, in order (values verbatim). */
export function factsOf(message: IncidentMessage): [string, string][] {
  const { incident } = message;
  const run = incident.last;
  const facts: [string, string][] = [];
  if (message.kind === 'resolved') {
    facts.push([
      'Resolved',
      `${REASONS[incident.resolution ?? 'quiet-period']} (${incident.resolvedAt ?? ''})`,
    ]);
    facts.push([
      'Duration',
      `${durationOf(incident)}, ${incident.openedAt} to ${incident.resolvedAt ?? ''}`,
    ]);
    facts.push(['Failed runs', String(incident.failedRuns)]);
    if (incident.detail !== undefined) facts.push(['Detail', incident.detail]);
    facts.push(['Last failure', `${run.summary} (${run.at})`]);
    return facts;
  }
  if (incident.detail !== undefined) facts.push(['Detail', incident.detail]);
  facts.push(['Reason', run.summary]);
  facts.push(...runFacts(run));
  facts.push([
    message.kind === 'opened' ? 'Failed runs so far' : 'Failed runs',
    message.kind === 'updated'
      ? `${incident.failedRuns} (${message.failedRunsSinceLastMessage ?? 0} since the last message), since ${incident.openedAt}`
      : String(incident.failedRuns),
  ]);
  return facts;
}

function runFacts(run: FailedRun): [string, string][] {
  const facts: [string, string][] = [];
  if (run.stoppedReason !== undefined) facts.push(['Stopped reason', run.stoppedReason]);
  if (run.reason !== undefined) facts.push(['Placement reason', run.reason]);
  if (run.stopCode !== undefined) facts.push(['Stop code', run.stopCode]);
  if (run.taskId !== undefined) facts.push(['Task', run.taskId]);
  if (run.exitCodes.length > 0)
    facts.push([
      'Exit codes',
      run.exitCodes.map(({ container, exitCode }) => `${container} ${exitCode}`).join(', '),
    ]);
  facts.push(['At', run.at]);
  return facts;
}

/** openedAt → resolvedAt in words ("1 h 5 min"); to the last failure while open. */
export function durationOf(incident: Incident): string {
  const end = incident.resolvedAt ?? incident.lastFailureAt;
  return formatMinutes(Math.max(0, minutesBetween(incident.openedAt, end)));
}

/** "40 s", "12 min", "1 h 5 min", "2 d 3 h". */
export function formatMinutes(minutes: number): string {
  if (minutes < 1) return `${Math.round(minutes * 60)} s`;
  const whole = Math.round(minutes);
  if (whole < 60) return `${whole} min`;
  if (whole < 1440) return `${Math.floor(whole / 60)} h${whole % 60 ? ` ${whole % 60} min` : ''}`;
  const hours = Math.floor(whole / 60);
  return `${Math.floor(hours / 24)} d${hours % 24 ? ` ${hours % 24} h` : ''}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
