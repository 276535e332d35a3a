import type { Incident, IncidentMessage, IncidentMessageKind } from '@ecslog/incidents';
import { incidentIdOf } from '@ecslog/incidents';

/** A failure incident of an OOM-killed job (invented ids), as the core would make it. */
export function incidentFixture(overrides: Partial<Incident> = {}): Incident {
  const key = {
    clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod-batch',
    clusterName: 'prod-batch',
    group: 'family:nightly-report',
    kind: 'failure' as const,
    category: 'out-of-memory' as const,
  };
  const taskId = '5f1c2e7a9b0d4c3e8f6a1b2c3d4e5f60';
  const first = {
    runId: `arn:aws:ecs:eu-west-1:123456789012:task/prod-batch/${taskId}`,
    taskId,
    at: '2026-11-30T02:05:41.000Z',
    category: 'out-of-memory' as const,
    summary: 'container report killed: out of memory (exit 137)',
    stoppedReason: 'Essential container in task exited',
    stopCode: 'EssentialContainerExited',
    exitCodes: [{ container: 'report', exitCode: 137 }],
    startedBy: 'events-rule/nightly-report',
    account: '123456789012',
    region: 'eu-west-1',
  };
  return {
    id: incidentIdOf(key),
    key,
    episode: 1,
    status: 'open',
    openedAt: first.at,
    lastFailureAt: first.at,
    failedRuns: 1,
    first,
    last: first,
    ...overrides,
  };
}

/** A message about {@link incidentFixture}: `<incident id>#<episode>#<kind>#<n>`. */
export function incidentMessageFixture(
  kind: IncidentMessageKind = 'opened',
  overrides: { incident?: Partial<Incident>; n?: number; createdAt?: string } = {},
): IncidentMessage {
  const incident = incidentFixture(overrides.incident);
  return {
    messageId: `${incident.id}#${incident.episode}#${kind}#${overrides.n ?? 0}`,
    kind,
    incident,
    createdAt: overrides.createdAt ?? '2026-11-30T02:06:00.000Z',
  };
}
