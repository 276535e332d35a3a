/**
 * A run's details: its outcome and summary, who started it, its timings, why it stopped
 * (verbatim), its provenance (images and digests, addresses, ENI, host, deployment), the digest
 * drift it is part of, its containers with exit codes and reasons, and every state change in order.
 */
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { DigestDrift, TimelineRun } from '@ecslog/task-runs';
import { formatDuration } from '../../output/time-format';
import { taskProvenanceOf } from '../../query/task-provenance';
import { h, show } from './dom';
import { formatLocalTime } from './format';
import { describeRunSpan } from './run-span';

/** What the page knows of a run besides its records. */
export interface RunContext {
  /** The task's EC2 instance, from the store's record of its container instance. */
  ec2InstanceId?: string;
  /** The digest drifts the run is in. */
  drifts?: readonly DigestDrift[];
  /** When the view is a search: what it looked for, and what of this run matched. */
  matched?: { description: string; value?: string };
}

/** Shows `records` (the task's history, oldest first, or a never-started run's failure). */
export function renderRunDetails(
  panel: HTMLElement,
  run: TimelineRun,
  records: readonly AuditRecord[],
  context: RunContext = {},
): void {
  const provenance = taskProvenanceOf(records, { ec2InstanceId: context.ec2InstanceId });
  const { network } = provenance;
  const state = latestStateOf(records);
  const latest = state ?? (records[records.length - 1] as AuditRecord);
  const call = records.find((record) => record.recordType === 'api-call');
  // A task whose history holds only calls about it (and a launch that never started) has the
  // outcome its run was given: a call's own outcome is the call's, not the task's.
  const outcome = state?.outcome ?? {
    status: run.status,
    category: run.category,
    churn: run.churn,
    summary: run.summary,
  };
  const kind = outcome.category ?? outcome.churn;
  show(
    panel,
    h('h2', null, run.neverStarted ? 'Never started' : `Task ${run.taskId ?? ''}`),
    h(
      'p',
      {
        class: `outcome outcome-${outcome.status}`,
        'data-outcome': outcome.status,
        'data-churn': outcome.churn,
      },
      kind ? `${outcome.status}: ${kind}` : outcome.status,
    ),
    context.matched
      ? h(
          'p',
          { class: 'matched' },
          `Found ${context.matched.description}`,
          context.matched.value ? ` · matched ${context.matched.value}` : '',
        )
      : undefined,
    ...(context.drifts ?? []).map((drift) => driftLine(drift, run.id)),
    h('p', { class: 'summary' }, outcome.summary),
    h(
      'p',
      {
        class: 'run-span',
        'data-run-end': run.runEnd,
        'data-continues-before': run.continuesBefore ? '' : undefined,
        'data-continues-after': run.continuesAfter ? '' : undefined,
      },
      describeRunSpan(run, formatLocalTime),
    ),
    facts([
      ['Cluster', latest.clusterName],
      ['Service / family', run.group],
      ['Task definition', latest.taskDefinitionArn],
      [
        'Started by',
        latest.startedBy ?? (call ? `${call.eventName} by ${call.caller ?? '?'}` : undefined),
      ],
      ['Deployment', provenance.deployment],
      [
        'Started by call',
        provenance.startCall &&
          `${provenance.startCall.eventName} by ${provenance.startCall.caller ?? '?'} at ${formatLocalTime(provenance.startCall.eventTime)}`,
      ],
      [
        'Launch',
        [latest.launchType, latest.capacityProviderName].filter(Boolean).join(' · ') || undefined,
      ],
      ['Platform version', provenance.platformVersion],
      ['ENI', network?.interfaceId],
      ['Address', [network?.privateIpv4, network?.ipv6].filter(Boolean).join(', ') || undefined],
      ['Subnet', network?.subnetId],
      ['MAC', network?.macAddress],
      ['DNS name', network?.privateDnsName],
      ['Container instance', provenance.containerInstanceArn],
      ['EC2 instance', provenance.ec2InstanceId],
      ['Zone', latest.availabilityZone],
      ['CPU / memory', latest.cpu ? `${latest.cpu} / ${latest.memory ?? '?'}` : undefined],
      [
        'Status',
        state?.lastStatus
          ? `${state.lastStatus} (desired ${state.desiredStatus ?? '?'})`
          : undefined,
      ],
      ['Created', latest.createdAt && formatLocalTime(latest.createdAt)],
      [
        'Image pull',
        latest.pullStartedAt &&
          `${formatLocalTime(latest.pullStartedAt)} · ${formatDuration(latest.pullMs)}`,
      ],
      [
        'Started',
        latest.startedAt &&
          `${formatLocalTime(latest.startedAt)} · pending ${formatDuration(latest.pendingMs)}`,
      ],
      [
        'Stopped',
        latest.stoppedAt &&
          `${formatLocalTime(latest.stoppedAt)} · ran ${formatDuration(latest.runMs)}`,
      ],
      ['Stop code', latest.stopCode],
      ['Stopped reason', latest.stoppedReason],
      ['Reason', latest.reason],
      ['Error', latest.errorCode ? `${latest.errorCode}: ${latest.errorMessage ?? ''}` : undefined],
    ]),
    latest.containers && latest.containers.length > 0
      ? h(
          'table',
          { class: 'containers' },
          h(
            'caption',
            null,
            state ? 'Containers' : `Containers, as the ${latest.eventName ?? 'API'} call answered`,
          ),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ...['Container', 'Status', 'Exit', 'Reason'].map((t) => h('th', null, t)),
            ),
          ),
          h(
            'tbody',
            null,
            ...latest.containers.map((container) =>
              h(
                'tr',
                null,
                h(
                  'td',
                  null,
                  container.name,
                  container.image ? h('span', { class: 'image' }, container.image) : undefined,
                ),
                h('td', null, container.lastStatus ?? '-'),
                h('td', { class: 'exit-code' }, container.exitCode ?? '-'),
                h('td', null, container.reason ?? ''),
              ),
            ),
          ),
        )
      : undefined,
    provenance.containers.some((c) => c.imageDigest || c.runtimeId || c.addresses.length > 0)
      ? h(
          'table',
          { class: 'provenance' },
          h('caption', null, 'Images and addresses'),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ...['Container', 'Image', 'Digest', 'Runtime id', 'Addresses'].map((t) =>
                h('th', null, t),
              ),
            ),
          ),
          h(
            'tbody',
            null,
            ...provenance.containers.map((container) =>
              h(
                'tr',
                null,
                h('td', null, container.name),
                h('td', null, container.image ?? '-'),
                h('td', { class: 'digest' }, container.imageDigest ?? '-'),
                h('td', null, container.runtimeId ?? '-'),
                h('td', null, container.addresses.join(', ') || '-'),
              ),
            ),
          ),
        )
      : undefined,
    h('h3', null, `State changes (${records.length})`),
    h(
      'ol',
      { class: 'state-changes' },
      ...records.map((record) =>
        h(
          'li',
          { class: `outcome-${record.outcome.status}` },
          h('time', { datetime: record.eventTime }, formatLocalTime(record.eventTime)),
          ' ',
          h('strong', null, stepOf(record)),
          ' ',
          record.outcome.summary,
        ),
      ),
    ),
  );
}

/**
 * `Digest drift: web:v2 ran as 2 digests in deployment ecs-svc/…: this task sha256:… (first seen
 * …, 1 task in view); sha256:… (first seen …, 3 tasks in view)`: of the runs the view holds (a
 * search holds the runs it found, not every run of the deployment).
 */
function driftLine(drift: DigestDrift, runId: string): HTMLElement {
  const parts = drift.digests.map(
    (entry) =>
      `${entry.runIds.includes(runId) ? 'this task ' : ''}${entry.digest} (first seen ${formatLocalTime(entry.firstSeen)}, ${entry.runIds.length} task${entry.runIds.length === 1 ? '' : 's'} in view)`,
  );
  return h(
    'p',
    { class: 'drift', 'data-drift': drift.image },
    `Digest drift: ${drift.image} ran as ${drift.digests.length} digests in deployment ${drift.deployment}: ${parts.join('; ')}`,
  );
}

export function renderDetailsMessage(panel: HTMLElement, message: string): void {
  show(panel, h('h2', null, 'Run'), h('p', { class: 'quiet' }, message));
}

function facts(rows: [string, string | undefined | false][]): HTMLElement {
  const list = h('dl', { class: 'facts' });
  for (const [name, value] of rows)
    if (value) list.append(h('dt', null, name), h('dd', null, value));
  return list;
}

function stepOf(record: AuditRecord): string {
  if (record.recordType === 'api-call') return `${record.eventName ?? 'API call'}`;
  return record.desiredStatus && record.desiredStatus !== record.lastStatus
    ? `${record.lastStatus ?? '?'} → ${record.desiredStatus}`
    : (record.lastStatus ?? record.eventName ?? record.recordType);
}

/** The task state change with the highest version: what the task ended as. */
function latestStateOf(records: readonly AuditRecord[]): AuditRecord | undefined {
  return records
    .filter((record) => record.recordType === 'task')
    .reduce<AuditRecord | undefined>(
      (latest, record) =>
        !latest || (record.version ?? 0) > (latest.version ?? 0) ? record : latest,
      undefined,
    );
}
