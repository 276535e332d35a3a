/**
 * Incidents as the notifier keeps them, for the web view's tests: one of each kind, with invented
 * ids in the shapes ECS gives them. Used only by tests.
 */
import type { FailureCategory } from '@ecslog/ecs-event-mapper';
import type { FailedRun, Incident, IncidentKey } from '@ecslog/incidents';
import { incidentIdOf } from '@ecslog/incidents';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

export const clusterArnOf = (name: string): string =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`;
export const taskArnOf = (cluster: string, taskId: string): string =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${cluster}/${taskId}`;

/** A failed run of `cluster`; `taskId` undefined for a launch that never started. */
export function failedRunOf(
  cluster: string,
  taskId: string | undefined,
  at: string,
  category: FailureCategory,
  told: Partial<FailedRun> = {},
): FailedRun {
  return {
    runId: taskId === undefined ? `never-started-${at}` : taskArnOf(cluster, taskId),
    ...(taskId !== undefined && { taskId }),
    at,
    category,
    summary: `${category} at ${at}`,
    exitCodes: [],
    account: ACCOUNT,
    region: REGION,
    ...told,
  };
}

/** An incident of `key` (its cluster by name), with the fields given; open unless resolved. */
export function incidentOf(
  key: Omit<IncidentKey, 'clusterArn'>,
  told: Partial<Incident> & Pick<Incident, 'first'>,
): Incident {
  const fullKey = { ...key, clusterArn: clusterArnOf(key.clusterName) };
  return {
    id: incidentIdOf(fullKey),
    key: fullKey,
    episode: 1,
    status: 'open',
    openedAt: told.first.at,
    lastFailureAt: (told.last ?? told.first).at,
    failedRuns: 1,
    last: told.first,
    ...told,
  };
}

/**
 * Five incidents of 2026-11-20: the nightly job's out-of-memory kills (resolved when its next run
 * succeeded), the web service's failing deployment (open), the api service's crash loop (resolved
 * after the quiet period), the hourly job's missed run (open) and a placement failure of the
 * worker service (resolved). `stoppedReason` is the web service's verbatim stop reason.
 */
export function incidentsOfTheDay(
  stoppedReason = 'Essential container in task exited',
): Incident[] {
  const oomFirst = failedRunOf(
    'batch',
    '5c1d0e2f3a4b4c5d8e9f0a1b2c3d4e5f',
    '2026-11-20T02:03:41.000Z',
    'out-of-memory',
    {
      summary: 'container report killed: out of memory (exit 137)',
      stoppedReason: 'Essential container in task exited',
      exitCodes: [{ container: 'report', exitCode: 137 }],
      startedBy: 'events-rule/nightly-report',
    },
  );
  const oomLast = {
    ...oomFirst,
    runId: taskArnOf('batch', '6d2e1f3a4b5c4d6e9f0a1b2c3d4e5f6a'),
    taskId: '6d2e1f3a4b5c4d6e9f0a1b2c3d4e5f6a',
    at: '2026-11-20T02:09:12.000Z',
  };
  const webFirst = failedRunOf(
    'prod-web',
    'a1b2c3d4e5f64a7b8c9d0e1f2a3b4c5d',
    '2026-11-20T14:20:05.000Z',
    'essential-container-exited',
    {
      summary: 'container web exited with code 1',
      stoppedReason,
      exitCodes: [{ container: 'web', exitCode: 1 }],
      startedBy: 'ecs-svc/1234567890123456789',
    },
  );
  const apiFirst = failedRunOf(
    'prod-web',
    'b2c3d4e5f6a74b8c9d0e1f2a3b4c5d6e',
    '2026-11-20T09:00:10.000Z',
    'essential-container-exited',
    { summary: 'container api exited with code 2', exitCodes: [{ container: 'api', exitCode: 2 }] },
  );
  const missed = failedRunOf(
    'data',
    'c3d4e5f6a7b84c9d0e1f2a3b4c5d6e7f',
    '2026-11-20T17:05:02.000Z',
    'other',
    { summary: 'last run started 2026-11-20 16:05', startedBy: 'events-rule/hourly-sync' },
  );
  const placement = failedRunOf('prod-web', undefined, '2026-11-20T11:30:00.000Z', 'placement', {
    summary: 'RunTask could not place the task: RESOURCE:MEMORY',
    reason: 'RESOURCE:MEMORY',
  });
  return [
    incidentOf(
      {
        clusterName: 'batch',
        group: 'family:nightly-report',
        kind: 'failure',
        category: 'out-of-memory',
      },
      {
        first: oomFirst,
        last: oomLast,
        failedRuns: 2,
        status: 'resolved',
        resolvedAt: '2026-11-20T03:02:30.000Z',
        resolution: 'next-run-succeeded',
      },
    ),
    incidentOf(
      {
        clusterName: 'prod-web',
        group: 'service:web',
        kind: 'failure',
        category: 'essential-container-exited',
      },
      {
        first: webFirst,
        last: { ...webFirst, at: '2026-11-20T14:42:51.000Z' },
        failedRuns: 7,
      },
    ),
    incidentOf(
      { clusterName: 'prod-web', group: 'service:api', kind: 'crash-loop' },
      {
        first: apiFirst,
        failedRuns: 6,
        status: 'resolved',
        resolvedAt: '2026-11-20T10:07:00.000Z',
        resolution: 'quiet-period',
        episode: 2,
      },
    ),
    incidentOf(
      { clusterName: 'data', group: 'family:hourly-sync', kind: 'missed-run' },
      { first: missed, detail: 'hourly at :05, none since 16:05 (40 min overdue)' },
    ),
    incidentOf(
      { clusterName: 'prod-web', group: 'service:worker', kind: 'failure', category: 'placement' },
      {
        first: placement,
        status: 'resolved',
        resolvedAt: '2026-11-20T12:30:00.000Z',
        resolution: 'quiet-period',
      },
    ),
  ];
}
