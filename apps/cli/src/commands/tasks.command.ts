import { isSimulatedRecord } from '@ecslog/simulator';
import type { StoreOptions } from '@ecslog/store-connection';
import type { Command } from 'commander';
import type { Outcome } from '@ecslog/ecs-event-mapper';
import { createLineOutput } from '../line-output';
import { renderTable } from '../output/text-table';
import type { TimeStyle } from '../output/time-format';
import { formatDuration, formatTime, zoneName } from '../output/time-format';
import type { TaskRun } from '@ecslog/task-runs';
import {
  filterRunsByStatus,
  OUTCOME_FILTERS,
  parseStatusFilter,
  toTaskRuns,
} from '@ecslog/task-runs';
import type { TimeRangeOptions } from '../query/time-range';
import { timeRangeOf } from '../query/time-range';
import type { CliIo, OutputOptions } from './cli-io';
import { writeRecords } from './cli-io';
import {
  addQueryOptions,
  addTimeRangeOptions,
  counted,
  describeRange,
  checkNotEmpty,
  groupOption,
  latestRecordsInScope,
  withStore,
} from './query-support';

interface TasksOptions extends StoreOptions, OutputOptions, TimeRangeOptions {
  cluster?: string;
  service?: string;
  family?: string;
  status?: string;
}

/** Adds `ecslog tasks`: one line per task run in a time range. */
export function registerTasksCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): Command {
  return addQueryOptions(
    addTimeRangeOptions(
      program
        .command('tasks')
        .summary('list task runs: start, duration, outcome, summary')
        .description(
          'List the task runs with a state change in the time range (default: the last 24 hours), one line each, oldest first. ' +
            'Tasks that never started (RunTask placement failures) are listed as NOT STARTED.',
        )
        .option('--cluster <name>', 'only this cluster (name or ARN)')
        .option('--service <name>', "only this service's tasks")
        .option('--family <name>', 'only tasks of this task definition family')
        .option(
          '--status <status>',
          `only runs with this outcome (${OUTCOME_FILTERS.join(', ')}) or last status (RUNNING, STOPPED…)`,
        ),
      '24h',
    ),
  ).action(async (options: TasksOptions) => {
    setExitCode(await runTasks(options, io));
  });
}

export async function runTasks(options: TasksOptions, io: CliIo): Promise<number> {
  const range = timeRangeOf(options, '24h', io.now());
  const status = parseStatusFilter(options.status);
  const group = groupOption(options);
  const runs = await withStore(io, options, async (store) => {
    const records = await latestRecordsInScope(store, { cluster: options.cluster, group }, range);
    if (records.length === 0) await checkNotEmpty(store);
    return filterRunsByStatus(toTaskRuns(records), status);
  });
  const out = createLineOutput(io.stdout);
  if (options.json)
    await writeRecords(
      out,
      runs.map((run) => run.record),
    );
  else if (runs.length > 0)
    await out.writeLine(renderRuns(runs, { utc: options.utc ?? false }).trimEnd());
  io.stderr.write(
    `${counted(runs.length, 'task run')} ${describeRange(range, { utc: options.utc ?? false })}\n`,
  );
  return 0;
}

/** The human table of `ecslog tasks`. */
export function renderRuns(runs: readonly TaskRun[], style: TimeStyle): string {
  return renderTable(
    [
      `START (${zoneName(style)})`,
      'CLUSTER',
      'SERVICE/FAMILY',
      'TASK',
      'STATUS',
      'OUTCOME',
      'DURATION',
      'SUMMARY',
    ],
    runs.map((run) => [
      formatTime(run.startTime, style),
      run.record.clusterName,
      run.record.group ?? (run.record.family ? `family:${run.record.family}` : '-'),
      run.record.taskId ?? '-',
      run.neverStarted ? 'NOT STARTED' : (run.lastStatus ?? '-'),
      outcomeText(run.outcome),
      formatDuration(durationOf(run)),
      isSimulatedRecord(run.record) ? `${run.outcome.summary} (simulated)` : run.outcome.summary,
    ]),
  );
}

export function outcomeText(outcome: Outcome): string {
  return outcome.category ? `${outcome.status}: ${outcome.category}` : outcome.status;
}

/** How long the task ran, else how long it took to stop from its creation. */
function durationOf({ record, startTime, endTime }: TaskRun): number | undefined {
  if (record.runMs !== undefined) return record.runMs;
  if (endTime !== undefined && record.createdAt !== undefined)
    return Date.parse(endTime) - Date.parse(startTime);
  return undefined;
}
