/**
 * What `ecslog task` runs (its options are in task.command.ts): a task's timeline, as a view or
 * `--json`.
 */
import { isSimulatedRecord } from '../simulated-records';
import type { StoreOptions } from '@ecslog/store-connection';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { createLineOutput } from '../line-output';
import { renderTable } from '../output/text-table';
import { visibleText } from '../output/visible-text';
import type { TimeStyle } from '../output/time-format';
import { formatDuration, formatTime, zoneName } from '../output/time-format';
import type { CliIo, OutputOptions } from './cli-io';
import { QueryError, writeRecords } from './cli-io';
import { checkNotEmpty, withStore } from './query-support';
import type { TaskRun } from '@ecslog/task-runs';
import { toTaskRuns } from '@ecslog/task-runs';
import { endText, outcomeText } from './tasks.run';
import type { TaskProvenance } from '../query/task-provenance';
import { ec2InstanceOf, taskProvenanceOf } from '../query/task-provenance';

export type TaskOptions = StoreOptions & OutputOptions;

export async function runTask(task: string, options: TaskOptions, io: CliIo): Promise<number> {
  const wanted = task.trim();
  const { stored, ec2InstanceId } = await withStore(io, options, async (store) => {
    const found = await store.reader.task(wanted);
    if (found !== undefined && found.history.length > 0)
      return { stored: found, ec2InstanceId: await ec2InstanceOf(store.reader, found.history) };
    await checkNotEmpty(store);
    throw new QueryError(
      `no task ${wanted} in ${store.description} (it may be older than the retention period)`,
    );
  });
  const arns = [...new Set(stored.history.map((r) => r.resourceArn))];
  if (!wanted.startsWith('arn:') && arns.length > 1)
    throw new QueryError(
      `task id ${wanted} names ${arns.length} tasks; give the ARN: ${arns.join(', ')}`,
    );
  const timeline = inVersionOrder(stored.history.filter((r) => r.resourceArn === stored.taskArn));
  const provenance = taskProvenanceOf(timeline, { ec2InstanceId });
  const out = createLineOutput(io.stdout);
  if (options.json)
    await writeRecords(
      out,
      timeline.map((record) => ({ ...record, provenance })),
    );
  else
    await out.writeLine(
      renderTimeline(timeline, { utc: options.utc ?? false }, stored.run, provenance).trimEnd(),
    );
  return 0;
}

/** State changes by version; API calls before the state change of the same version. */
export function inVersionOrder(records: readonly AuditRecord[]): AuditRecord[] {
  const rank = (r: AuditRecord) => (r.recordType === 'api-call' ? 0 : 1);
  return [...records].sort(
    (a, b) =>
      (a.version ?? 0) - (b.version ?? 0) ||
      a.eventTime.localeCompare(b.eventTime) ||
      rank(a) - rank(b) ||
      a.recordId.localeCompare(b.recordId),
  );
}

/**
 * The human view of `ecslog task`. `run` is the task's run as the store holds it (it may be
 * closed by a later writer); without it, the run its timeline tells.
 */
export function renderTimeline(
  timeline: readonly AuditRecord[],
  style: TimeStyle,
  storedRun?: TaskRun,
  provenance: TaskProvenance = taskProvenanceOf(timeline),
): string {
  const tasks = timeline.filter((r) => r.recordType === 'task');
  const latest = tasks.at(-1) ?? (timeline.at(-1) as AuditRecord);
  const calls = timeline.filter((r) => r.recordType === 'api-call');
  // Without state changes, what the calls alone tell of the run (a call's own outcome is the call's).
  const run = storedRun ?? toTaskRuns(timeline).find((r) => !r.neverStarted);
  const outcome = run?.outcome ?? latest.outcome;
  // Labels too come from events (an API call's name), so both are shown escaped.
  const field = (label: string, value: string | number | undefined) =>
    value === undefined || value === ''
      ? []
      : [`${`${visibleText(label)}:`.padEnd(16)}${visibleText(String(value))}`];
  const head = [
    ...field('Task', latest.taskId),
    ...field('ARN', latest.resourceArn),
    ...field(
      'Data',
      isSimulatedRecord(latest)
        ? `(simulated) account ${latest.account}, from the simulator`
        : undefined,
    ),
    ...field('Cluster', latest.clusterName),
    ...field('Group', latest.group),
    ...field(
      'Definition',
      latest.family ? `${latest.family}:${latest.revision ?? '?'}` : latest.taskDefinitionArn,
    ),
    ...field(
      'Launch',
      [latest.launchType, latest.capacityProviderName, latest.availabilityZone]
        .filter(Boolean)
        .join(' / '),
    ),
    ...field(
      'CPU / memory',
      latest.cpu || latest.memory ? `${latest.cpu ?? '?'} / ${latest.memory ?? '?'}` : undefined,
    ),
    ...field('Started by', latest.startedBy ?? provenance.startedBy),
    ...field('Deployment', provenance.deployment),
    ...calls.flatMap((call) =>
      field(
        call.eventName ?? 'API call',
        `${call.caller ?? '?'} at ${formatTime(call.eventTime, style)}`,
      ),
    ),
    ...field(
      'Status',
      tasks.length > 0
        ? `${latest.lastStatus ?? '?'} (desired ${latest.desiredStatus ?? '?'})`
        : 'no state change recorded, only the API calls above',
    ),
    ...field('End', run && runEndText(run, style)),
    ...field('Outcome', outcomeText(outcome)),
    ...field('Summary', outcome.summary),
  ];
  const { network } = provenance;
  const where = [
    ...field('Platform', provenance.platformVersion),
    ...field('ENI', network?.interfaceId),
    ...field(
      'Address',
      [network?.privateIpv4, network?.ipv6].filter(Boolean).join(', ') || undefined,
    ),
    ...field('Subnet', network?.subnetId),
    ...field('MAC', network?.macAddress),
    ...field('DNS name', network?.privateDnsName),
    ...field('Host', provenance.containerInstanceArn),
    ...field('EC2 instance', provenance.ec2InstanceId),
  ];
  const durations = [
    ...field('Created', formatTime(latest.createdAt, style)),
    ...field(
      'Pull',
      latest.pullMs !== undefined
        ? `${formatDuration(latest.pullMs)} (${formatTime(latest.pullStartedAt, style)} → ${formatTime(latest.pullStoppedAt, style)})`
        : undefined,
    ),
    ...field(
      'Pending',
      latest.pendingMs !== undefined ? formatDuration(latest.pendingMs) : undefined,
    ),
    ...field('Started', latest.startedAt ? formatTime(latest.startedAt, style) : undefined),
    ...field('Run', latest.runMs !== undefined ? formatDuration(latest.runMs) : undefined),
    ...field('Stopped', latest.stoppedAt ? formatTime(latest.stoppedAt, style) : undefined),
    ...field('Stop code', latest.stopCode),
    ...field('Stopped reason', latest.stoppedReason),
  ];
  const changes = renderTable(
    [`TIME (${zoneName(style)})`, 'VERSION', 'STATUS', 'DESIRED', 'OUTCOME', 'EVENT'],
    timeline.map((r) => [
      formatTime(r.eventTime, style),
      r.recordType === 'task' ? String(r.version ?? '-') : '-',
      r.recordType === 'task' ? (r.lastStatus ?? '-') : (r.eventName ?? r.recordType),
      r.recordType === 'task' ? (r.desiredStatus ?? '-') : '-',
      outcomeText(r.outcome),
      r.outcome.summary,
    ]),
  );
  const containers = renderTable(
    ['CONTAINER', 'IMAGE', 'STATUS', 'EXIT', 'REASON'],
    (latest.containers ?? []).map((c) => [
      c.name,
      c.image ?? '-',
      c.lastStatus ?? '-',
      c.exitCode === undefined ? '-' : String(c.exitCode),
      c.reason ?? '',
    ]),
  );
  const images = renderTable(
    ['CONTAINER', 'IMAGE', 'DIGEST', 'RUNTIME ID', 'ADDRESSES'],
    provenance.containers.map((c) => [
      c.name,
      c.image ?? '-',
      c.imageDigest ?? '-',
      c.runtimeId ?? '-',
      c.addresses.join(', ') || '-',
    ]),
  );
  return [
    head.join('\n'),
    ...(where.length > 0 ? ['', where.join('\n')] : []),
    '',
    durations.join('\n'),
    '',
    'State changes:',
    changes.trimEnd(),
    ...(latest.containers?.length ? ['', 'Containers:', containers.trimEnd()] : []),
    ...(provenance.containers.length > 0 ? ['', 'Images:', images.trimEnd()] : []),
  ].join('\n');
}

/** The `End:` line: how the run ended, with why when a later writer closed it. */
function runEndText(run: TaskRun, style: TimeStyle): string {
  if (run.end === 'open') return 'running (no end recorded yet)';
  if (run.end === 'not-recorded')
    return 'end not recorded (known only by the call that started it)';
  if (run.end === 'closed' && run.closure !== undefined)
    return `${endText(run, style)} (${run.closure.reason})`;
  return endText(run, style);
}
