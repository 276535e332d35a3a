/**
 * What `ecslog failures` runs (its options are in failures.command.ts), and the failure groups'
 * table `ecslog local` shows too.
 */
import type { StoreOptions } from '@ecslog/store-connection';
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
import { counted, describeRange, checkNotEmpty, withStore } from './query-support';

export interface FailuresOptions extends StoreOptions, OutputOptions, TimeRangeOptions {
  category?: string;
  cluster?: string;
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
