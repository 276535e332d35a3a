/**
 * Incidents: what ecslog tells people. The types every part shares (the pure transitions in this
 * library, the notifier that keeps incidents in the audit table and delivers their messages, the
 * CLI and the web view). Pure.
 *
 * An incident groups the failures of one service or task family in one cluster: by failure
 * category (`failure`), or as a crash loop, a service running fewer tasks than desired
 * (`silence`), or a scheduled job that did not run (`missed-run`). It opens with one message,
 * is updated at most once per interval, and resolves with one message. A key's incident can
 * open again after it resolved: each opening is a new **episode** of the same key.
 */
import type { FailureCategory } from '@ecslog/ecs-event-mapper';

export type IncidentKind = 'failure' | 'crash-loop' | 'silence' | 'missed-run';

export const INCIDENT_KINDS: readonly IncidentKind[] = [
  'failure',
  'crash-loop',
  'silence',
  'missed-run',
];

/** What an incident is about. Two failures share an incident exactly when their keys are equal. */
export interface IncidentKey {
  clusterArn: string;
  clusterName: string;
  /** `service:NAME` or `family:NAME`, as ECS reports a task's group. */
  group: string;
  kind: IncidentKind;
  /** Present exactly when `kind` is `failure`. */
  category?: FailureCategory;
}

/** One failed run, as an incident's messages tell it. */
export interface FailedRun {
  /** The run's id (its task's ARN, or a start failure's record id). */
  runId: string;
  /** Absent for a task that never started. */
  taskId?: string;
  /** ISO-8601 UTC: when it failed (stoppedAt, or the failed call's time). */
  at: string;
  category: FailureCategory;
  /** The classified reason, one line ("container web killed: out of memory (exit 137)"). */
  summary: string;
  /** Verbatim, untruncated. */
  stoppedReason?: string;
  stopCode?: string;
  /** Placement failure reason (RESOURCE:MEMORY …). */
  reason?: string;
  exitCodes: { container: string; exitCode: number }[];
  startedBy?: string;
  account: string;
  region: string;
}

/** Why an incident resolved. */
export type ResolutionReason =
  /** The service reached steady state (SERVICE_STEADY_STATE). */
  | 'steady-state'
  /** The family's next run succeeded. */
  | 'next-run-succeeded'
  /** No failure for the quiet period. */
  | 'quiet-period'
  /** A silent service runs as many tasks as desired again. */
  | 'running-as-desired'
  /** The missed job ran again. */
  | 'ran-again';

export type IncidentStatus = 'open' | 'resolved';

export interface Incident {
  /** Stable for the key ({@link incidentIdOf}), the same in every episode. */
  id: string;
  key: IncidentKey;
  /** 1 for the key's first incident, +1 each time it opens again after resolving. */
  episode: number;
  status: IncidentStatus;
  /** ISO-8601 UTC, event time (not the clock) of the failure that opened it. */
  openedAt: string;
  /** The last failure's time. */
  lastFailureAt: string;
  resolvedAt?: string;
  resolution?: ResolutionReason;
  /** Distinct failed runs counted in this episode (a run delivered twice counts once). */
  failedRuns: number;
  first: FailedRun;
  last: FailedRun;
  /**
   * For `silence` and `missed-run`, what is wrong in words ("1 of 3 tasks running for 25 min",
   * "hourly at :05, none since 02:05 (55 min overdue)").
   */
  detail?: string;
}

export type IncidentMessageKind = 'opened' | 'updated' | 'resolved';

/** One message about an incident, the same on every channel (each renders it its own way). */
export interface IncidentMessage {
  /**
   * Stable and unique: `<incident id>#<episode>#<kind>#<n>` (n counts updates; 0 for opened and
   * resolved). A channel that retries sends the same id (webhook `Idempotency-Key`, SNS message
   * attribute), so a receiver can tell a retry from a new message.
   */
  messageId: string;
  kind: IncidentMessageKind;
  /** The incident as it stood when the message was made. */
  incident: Incident;
  /** ISO-8601 UTC: when the message was made (the clock). */
  createdAt: string;
  /** `updated` messages: failed runs counted since the episode's previous message. */
  failedRunsSinceLastMessage?: number;
}

/** The incident id of a key: `<clusterArn>#<group>#<kind>[#<category>]`. */
export function incidentIdOf(key: IncidentKey): string {
  const base = `${key.clusterArn}#${key.group}#${key.kind}`;
  return key.category === undefined ? base : `${base}#${key.category}`;
}
