import { isSimulatedRecord } from '@ecslog/simulator';
import type { AuditStoreConnection, StoreOptions } from '@ecslog/store-connection';
import type { Command } from 'commander';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { createLineOutput } from '../line-output';
import { renderTable } from '../output/text-table';
import { visibleText } from '../output/visible-text';
import type { TimeStyle } from '../output/time-format';
import { formatDuration, formatTime, zoneName } from '../output/time-format';
import type { CliIo, OutputOptions } from './cli-io';
import { QueryError, readAllPages, writeRecords } from './cli-io';
import { addQueryOptions, checkNotEmpty, withStore } from './query-support';
import { toTaskRuns } from '@ecslog/task-runs';
import { outcomeText } from './tasks.command';

type TaskOptions = StoreOptions & OutputOptions;

/** Adds `ecslog task <taskArn|taskId>`: one task's whole timeline. */
export function registerTaskCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): Command {
  return addQueryOptions(
    program
      .command('task')
      .summary("show a task's timeline: state changes, containers, durations, why it stopped")
      .description(
        "Show a task's whole timeline: each state change, the API calls about it (who started or stopped it), " +
          'its containers with exit codes and reasons, pull / pending / run durations, and the stop summary.',
      )
      .argument('<task>', 'the task ARN, or its id (the last part of the ARN)'),
  ).action(async (task: string, options: TaskOptions) => {
    setExitCode(await runTask(task, options, io));
  });
}

export async function runTask(task: string, options: TaskOptions, io: CliIo): Promise<number> {
  const records = await withStore(io, options, async (store) => {
    const taskArn = await resolveTaskArn(store, task.trim());
    return readAllPages((page) => store.reader.history(taskArn, page));
  });
  const timeline = inVersionOrder(records);
  const out = createLineOutput(io.stdout);
  if (options.json) await writeRecords(out, timeline);
  else await out.writeLine(renderTimeline(timeline, { utc: options.utc ?? false }).trimEnd());
  return 0;
}

async function resolveTaskArn(store: AuditStoreConnection, task: string): Promise<string> {
  if (task.startsWith('arn:')) {
    if ((await store.reader.history(task, { limit: 1 })).records.length > 0) return task;
  } else {
    const arns = await store.reader.taskArnsOf(task);
    if (arns.length > 1)
      throw new QueryError(
        `task id ${task} names ${arns.length} tasks; give the ARN: ${arns.join(', ')}`,
      );
    if (arns[0] !== undefined) return arns[0];
  }
  await checkNotEmpty(store);
  throw new QueryError(
    `no task ${task} in ${store.description} (it may be older than the retention period)`,
  );
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

/** The human view of `ecslog task`. */
export function renderTimeline(timeline: readonly AuditRecord[], style: TimeStyle): string {
  const tasks = timeline.filter((r) => r.recordType === 'task');
  const latest = tasks.at(-1) ?? (timeline.at(-1) as AuditRecord);
  const calls = timeline.filter((r) => r.recordType === 'api-call');
  // Without state changes, what the calls alone tell of the run (a call's own outcome is the call's).
  const outcome = toTaskRuns(timeline).find((run) => !run.neverStarted)?.outcome ?? latest.outcome;
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
    ...field('Started by', latest.startedBy),
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
    ...field('Outcome', outcomeText(outcome)),
    ...field('Summary', outcome.summary),
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
  return [
    head.join('\n'),
    '',
    durations.join('\n'),
    '',
    'State changes:',
    changes.trimEnd(),
    ...(latest.containers?.length ? ['', 'Containers:', containers.trimEnd()] : []),
  ].join('\n');
}
