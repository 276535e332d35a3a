import fc from 'fast-check';
import type { AuditRecord, ContainerState } from '@ecslog/ecs-event-mapper';
import { fixtureRecords } from '@ecslog/ecs-event-mapper/testing';
import { digestDrift, driftsByRun } from './digest-drift';
import type { TaskRun } from './task-runs';
import { taskRunOf } from './task-runs';

/** A STOPPED Fargate task of service web, deployment ecs-svc/1234567890123456789, two containers. */
const TEMPLATE = fixtureRecords('eventbridge/task-lifecycle-07-stopped.json')[0] as AuditRecord;
const DEPLOYMENT = 'ecs-svc/1234567890123456789';
const WEB = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/web:v2';
const SIDECAR = 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4';
const digest = (n: number) => `sha256:${String(n).padStart(64, '0')}`;

interface RunFacts {
  /** Distinct per run. */
  taskId: string;
  /** Minutes after 03:00. */
  startMinute: number;
  startedBy?: string;
  clusterName?: string;
  containers: Pick<ContainerState, 'image' | 'imageDigest'>[];
}

/** The run of a task made of the template with `facts`. */
function runOf(facts: RunFacts): TaskRun {
  const clusterName = facts.clusterName ?? TEMPLATE.clusterName;
  const clusterArn = TEMPLATE.clusterArn.replace(/cluster\/.*/, `cluster/${clusterName}`);
  const createdAt = new Date(
    Date.parse('2026-11-20T03:00:00.000Z') + facts.startMinute * 60_000,
  ).toISOString();
  const record: AuditRecord = {
    ...TEMPLATE,
    recordId: `task:${facts.taskId}:v7`,
    clusterArn,
    clusterName,
    resourceArn: `arn:aws:ecs:eu-west-1:111122223333:task/${clusterName}/${facts.taskId}`,
    taskId: facts.taskId,
    startedBy: facts.startedBy,
    createdAt,
    containers: facts.containers.map((container, i) => ({
      name: `c${i}`,
      lastStatus: 'STOPPED',
      exitCode: 0,
      ...container,
    })),
  };
  return taskRunOf(record) as TaskRun;
}

const task = (n: number) => `${String(n).padStart(8, '0')}${'a'.repeat(24)}`;

describe('digestDrift: examples', () => {
  it('flags a tag that ran as two digests within one deployment: which digests, which tasks, first seen', () => {
    const runs = [
      runOf({
        taskId: task(3),
        startMinute: 40,
        startedBy: DEPLOYMENT,
        containers: [
          { image: WEB, imageDigest: digest(2) },
          { image: SIDECAR, imageDigest: digest(9) },
        ],
      }),
      runOf({
        taskId: task(1),
        startMinute: 0,
        startedBy: DEPLOYMENT,
        containers: [
          { image: WEB, imageDigest: digest(1) },
          { image: SIDECAR, imageDigest: digest(9) },
        ],
      }),
      runOf({
        taskId: task(2),
        startMinute: 10,
        startedBy: DEPLOYMENT,
        containers: [{ image: WEB, imageDigest: digest(1) }],
      }),
    ];

    const drifts = digestDrift(runs);

    expect(drifts).toEqual([
      {
        clusterArn: TEMPLATE.clusterArn,
        clusterName: TEMPLATE.clusterName,
        group: 'service:web',
        deployment: DEPLOYMENT,
        image: WEB,
        digests: [
          {
            digest: digest(1),
            firstSeen: '2026-11-20T03:00:00.000Z',
            runIds: [runs[1]?.id, runs[2]?.id],
            taskIds: [task(1), task(2)],
          },
          {
            digest: digest(2),
            firstSeen: '2026-11-20T03:40:00.000Z',
            runIds: [runs[0]?.id],
            taskIds: [task(3)],
          },
        ],
        driftedAt: '2026-11-20T03:40:00.000Z',
      },
    ]);
    expect([...driftsByRun(drifts).keys()].sort()).toEqual(runs.map((run) => run.id).sort());
  });

  it('does not compare two deployments, tasks outside a deployment, or digests ECS had not resolved', () => {
    const runs = [
      runOf({
        taskId: task(1),
        startMinute: 0,
        startedBy: DEPLOYMENT,
        containers: [{ image: WEB, imageDigest: digest(1) }],
      }),
      // The next deployment: a new digest is what a new deployment is for.
      runOf({
        taskId: task(2),
        startMinute: 5,
        startedBy: 'ecs-svc/9999999999999999999',
        containers: [{ image: WEB, imageDigest: digest(2) }],
      }),
      // A scheduled task of the same image.
      runOf({
        taskId: task(3),
        startMinute: 6,
        startedBy: 'events-rule/nightly',
        containers: [{ image: WEB, imageDigest: digest(3) }],
      }),
      runOf({
        taskId: task(4),
        startMinute: 7,
        containers: [{ image: WEB, imageDigest: digest(4) }],
      }),
      // Still pulling: no digest yet.
      runOf({
        taskId: task(5),
        startMinute: 8,
        startedBy: DEPLOYMENT,
        containers: [{ image: WEB }],
      }),
      // The same deployment id in another cluster.
      runOf({
        taskId: task(6),
        startMinute: 9,
        startedBy: DEPLOYMENT,
        clusterName: 'other',
        containers: [{ image: WEB, imageDigest: digest(6) }],
      }),
    ];

    expect(digestDrift(runs)).toEqual([]);
  });

  it('counts a task with two containers of one image once per digest', () => {
    const runs = [
      runOf({
        taskId: task(1),
        startMinute: 0,
        startedBy: DEPLOYMENT,
        containers: [
          { image: WEB, imageDigest: digest(1) },
          { image: WEB, imageDigest: digest(1) },
        ],
      }),
      runOf({
        taskId: task(2),
        startMinute: 1,
        startedBy: DEPLOYMENT,
        containers: [{ image: WEB, imageDigest: digest(2) }],
      }),
    ];

    const [drift] = digestDrift(runs);

    expect(drift?.digests.map((d) => d.taskIds)).toEqual([[task(1)], [task(2)]]);
  });
});

/** What the drift must be, by brute force: every pair of runs compared. */
function bruteForceDrift(runs: readonly TaskRun[]): Map<string, Map<string, Set<string>>> {
  /** `cluster deployment image` → digest → run ids, only for references two runs disagree on. */
  const flagged = new Map<string, Map<string, Set<string>>>();
  const observations = runs.flatMap((run) =>
    run.record.startedBy?.startsWith('ecs-svc/')
      ? (run.record.containers ?? [])
          .filter((c) => c.image !== undefined && c.imageDigest !== undefined)
          .map((c) => ({
            key: `${run.record.clusterArn} ${run.record.startedBy} ${c.image}`,
            digest: c.imageDigest as string,
            id: run.id,
          }))
      : [],
  );
  for (const a of observations)
    for (const b of observations)
      if (a.key === b.key && a.digest !== b.digest) {
        const digests = flagged.get(a.key) ?? new Map<string, Set<string>>();
        flagged.set(a.key, digests);
        digests.set(a.digest, (digests.get(a.digest) ?? new Set()).add(a.id));
      }
  return flagged;
}

const runFactsArb = (taskId: string): fc.Arbitrary<RunFacts> =>
  fc.record({
    taskId: fc.constant(taskId),
    startMinute: fc.integer({ min: 0, max: 120 }),
    startedBy: fc.constantFrom(DEPLOYMENT, 'ecs-svc/2', 'events-rule/x', undefined),
    clusterName: fc.constantFrom('prod', 'stage'),
    containers: fc.array(
      fc.record({
        image: fc.constantFrom(WEB, SIDECAR, undefined),
        imageDigest: fc.option(fc.integer({ min: 1, max: 3 }).map(digest), { nil: undefined }),
      }),
      { maxLength: 3 },
    ),
  });

const runsArb = fc
  .integer({ min: 0, max: 12 })
  .chain((count) => fc.tuple(...Array.from({ length: count }, (_, i) => runFactsArb(task(i)))))
  .map((facts) => facts.map(runOf));

describe('digestDrift: properties', () => {
  it('flags exactly the digests and runs a comparison of every pair finds', () => {
    fc.assert(
      fc.property(runsArb, (runs) => {
        const expected = bruteForceDrift(runs);

        const drifts = digestDrift(runs);

        const found = new Map(
          drifts.map((drift) => [
            `${drift.clusterArn} ${drift.deployment} ${drift.image}`,
            new Map(drift.digests.map((d) => [d.digest, new Set(d.runIds)])),
          ]),
        );
        expect(found).toEqual(expected);
      }),
    );
  });

  it("gives each digest its first run's start, runs in start order, and the second digest's first start as drifted-at", () => {
    fc.assert(
      fc.property(runsArb, (runs) => {
        const byId = new Map(runs.map((run) => [run.id, run]));
        const drifts = digestDrift(runs);
        for (const drift of drifts) {
          expect(drift.digests.length).toBeGreaterThanOrEqual(2);
          const starts = drift.digests.map((d) => d.runIds.map((id) => byId.get(id)?.startTime));
          for (const [index, entry] of drift.digests.entries()) {
            const own = starts[index] as string[];
            expect(own).toEqual([...own].sort());
            expect(entry.firstSeen).toBe(own[0]);
            expect(entry.taskIds).toEqual(entry.runIds.map((id) => byId.get(id)?.record.taskId));
          }
          const firsts = drift.digests.map((d) => d.firstSeen);
          expect(firsts).toEqual([...firsts].sort());
          expect(drift.driftedAt).toBe(firsts[1]);
        }
        const driftedAt = drifts.map((d) => d.driftedAt);
        expect(driftedAt).toEqual([...driftedAt].sort());
      }),
    );
  });

  it('does not depend on the order the runs come in', () => {
    fc.assert(
      fc.property(
        runsArb.chain((runs) =>
          fc.tuple(fc.constant(runs), fc.shuffledSubarray(runs, { minLength: runs.length })),
        ),
        ([runs, shuffled]) => {
          expect(digestDrift(shuffled)).toEqual(digestDrift(runs));
        },
      ),
    );
  });
});
