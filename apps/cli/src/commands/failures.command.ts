import type { StoreOptions } from '@ecslog/store-connection';
import type { Command } from 'commander';
import type { FailureCategory } from '@ecslog/ecs-event-mapper';
import { FAILURE_CATEGORIES } from '@ecslog/ecs-event-mapper';
import { createLineOutput } from '../line-output';
import { renderTable } from '../output/text-table';
import type { TimeStyle } from '../output/time-format';
import { formatTime, zoneName } from '../output/time-format';
import type { FailureGroup } from '@ecslog/task-runs';
import { groupFailures } from '@ecslog/task-runs';
import { isCluster } from '@ecslog/audit-store';
import type { TimeRangeOptions } from '../query/time-range';
import { timeRangeOf } from '../query/time-range';
import type { CliIo, OutputOptions } from './cli-io';
import { QueryError, writeRecords } from './cli-io';
import {
  addQueryOptions,
  addTimeRangeOptions,
  counted,
  describeRange,
  checkNotEmpty,
  withStore,
} from './query-support';

interface FailuresOptions extends StoreOptions, OutputOptions, TimeRangeOptions {
  category?: string;
  cluster?: string;
}

/** Adds `ecslog failures`: failures grouped by category and service or family. */
export function registerFailuresCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): Command {
  return addQueryOptions(
    addTimeRangeOptions(
      program
        .command('failures')
        .summary('failures grouped by category and service/family')
        .description(
          "Failures whose moment — a failed run's end, a failed action, deployment or API call — is in the time range " +
            '(default: the last 7 days), grouped by category and service or task family: ' +
            'how many tasks (or calls, services) failed, first and last seen, example summaries. ' +
            `Categories: ${FAILURE_CATEGORIES.join(', ')}.`,
        )
        .option('--category <category>', 'only this failure category')
        .option('--cluster <name>', 'only this cluster (name or ARN)'),
      '7d',
    ),
  ).action(async (options: FailuresOptions) => {
    setExitCode(await runFailures(options, io));
  });
}

export async function runFailures(options: FailuresOptions, io: CliIo): Promise<number> {
  const range = timeRangeOf(options, '7d', io.now());
  const category = categoryOption(options.category);
  const records = await withStore(io, options, async (store) => {
    const all = await store.reader.failures({ ...range, category });
    if (all.length === 0) await checkNotEmpty(store);
    const cluster = options.cluster;
    return cluster === undefined ? all : all.filter((r) => isCluster(r.clusterArn, cluster));
  });
  const out = createLineOutput(io.stdout);
  const style = { utc: options.utc ?? false };
  const groups = groupFailures(records);
  if (options.json) await writeRecords(out, records);
  else if (groups.length > 0) await out.writeLine(renderFailureGroups(groups, style).trimEnd());
  io.stderr.write(
    `${counted(records.length, 'failure record')} in ${counted(groups.length, 'group')} ${describeRange(range, style)}\n`,
  );
  return 0;
}

function categoryOption(category: string | undefined): FailureCategory | undefined {
  if (category === undefined) return undefined;
  if (!(FAILURE_CATEGORIES as readonly string[]).includes(category))
    throw new QueryError(
      `unknown failure category "${category}"; one of: ${FAILURE_CATEGORIES.join(', ')}`,
    );
  return category as FailureCategory;
}

/** The human table of `ecslog failures`: a second example goes on a line of its own. */
export function renderFailureGroups(groups: readonly FailureGroup[], style: TimeStyle): string {
  return renderTable(
    [
      'CATEGORY',
      'SERVICE/FAMILY',
      'CLUSTER',
      'COUNT',
      `FIRST SEEN (${zoneName(style)})`,
      'LAST SEEN',
      'EXAMPLE',
    ],
    groups.flatMap((g) => [
      [
        g.category,
        g.group,
        g.clusterName,
        String(g.count),
        formatTime(g.firstSeen, style),
        formatTime(g.lastSeen, style),
        g.examples[0] ?? '',
      ],
      ...g.examples.slice(1).map((example) => ['', '', '', '', '', '', example]),
    ]),
  );
}
