/**
 * Digest drift: within one deployment of a service, tasks that ran different image digests of the
 * same image reference. A deployment pins a task definition, not an image: when its image is a
 * mutable tag (`web:latest`, `web:v2`) re-pushed while the deployment places tasks, ECS resolves
 * the tag again for each new task, and one deployment ends up running two builds. Pure.
 */
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { TaskRun } from './task-runs';

/** One digest of a drifted image reference: which runs ran it, and when the first of them began. */
export interface DriftDigest {
  /** `sha256:…` as ECS reported it. */
  digest: string;
  /** The earliest start (ISO-8601) of the runs that ran it. */
  firstSeen: string;
  /** The runs that ran it ({@link TaskRun.id}: task ARNs), in start order. */
  runIds: string[];
  /** Their task ids, in the same order. */
  taskIds: string[];
}

/**
 * An image reference that ran as more than one digest within one deployment: the runs of the
 * deployment with a container of that reference and a digest ECS reported for it.
 */
export interface DigestDrift {
  clusterArn: string;
  clusterName: string;
  /** `service:NAME`, as ECS reports the tasks' group (absent when ECS gave none). */
  group?: string;
  /** The deployment: the tasks' `startedBy`, `ecs-svc/<id>`. */
  deployment: string;
  /** The image reference as the task definition names it (`repository:tag`). */
  image: string;
  /** Two or more, by first seen (then digest). */
  digests: DriftDigest[];
  /** When the reference first ran as a second digest: the second digest's {@link DriftDigest.firstSeen}. */
  driftedAt: string;
}

/** `startedBy` of a task a service's deployment placed. */
const DEPLOYMENT_PREFIX = 'ecs-svc/';

/**
 * The image references that ran as more than one digest within one deployment of a service
 * (runs started by `ecs-svc/<id>`, in the same cluster), each with its digests, their runs and
 * when each was first seen; by {@link DigestDrift.driftedAt}, then cluster, deployment, image.
 * A run counts by its containers as the record that tells it reports them; containers whose
 * digest ECS had not resolved yet count for nothing. Runs outside a deployment (scheduled and
 * standalone tasks) are never compared.
 *
 * @example
 * const [drift] = digestDrift(runsOfTheService);
 * drift?.digests.map((d) => `${d.digest} since ${d.firstSeen}: ${d.taskIds.join(', ')}`);
 */
export function digestDrift(runs: readonly TaskRun[]): DigestDrift[] {
  /** By cluster, deployment and image, then digest: the runs. */
  const references = new Map<
    string,
    { first: AuditRecord; image: string; digests: Map<string, TaskRun[]> }
  >();
  for (const run of runs) {
    const { record } = run;
    const deployment = record.startedBy;
    if (deployment === undefined || !deployment.startsWith(DEPLOYMENT_PREFIX)) continue;
    const seen = new Set<string>();
    for (const container of record.containers ?? []) {
      const { image, imageDigest } = container;
      if (image === undefined || imageDigest === undefined) continue;
      // One task with two containers of one image counts once per digest.
      const key = `${record.clusterArn}\u0000${deployment}\u0000${image}`;
      if (seen.has(`${key}\u0000${imageDigest}`)) continue;
      seen.add(`${key}\u0000${imageDigest}`);
      let reference = references.get(key);
      if (reference === undefined) {
        reference = { first: record, image, digests: new Map() };
        references.set(key, reference);
      }
      const withDigest = reference.digests.get(imageDigest);
      if (withDigest) withDigest.push(run);
      else reference.digests.set(imageDigest, [run]);
    }
  }
  const drifts: DigestDrift[] = [];
  for (const { first, image, digests } of references.values()) {
    if (digests.size < 2) continue;
    const listed = [...digests].map(([digest, withDigest]): DriftDigest => {
      const inOrder = [...withDigest].sort(byStartThenId);
      return {
        digest,
        firstSeen: (inOrder[0] as TaskRun).startTime,
        runIds: inOrder.map((run) => run.id),
        taskIds: inOrder.map((run) => run.record.taskId ?? run.id),
      };
    });
    listed.sort(
      (a, b) => a.firstSeen.localeCompare(b.firstSeen) || a.digest.localeCompare(b.digest),
    );
    drifts.push({
      clusterArn: first.clusterArn,
      clusterName: first.clusterName,
      ...(first.group !== undefined && { group: first.group }),
      deployment: first.startedBy as string,
      image,
      digests: listed,
      driftedAt: (listed[1] as DriftDigest).firstSeen,
    });
  }
  return drifts.sort(
    (a, b) =>
      a.driftedAt.localeCompare(b.driftedAt) ||
      a.clusterArn.localeCompare(b.clusterArn) ||
      a.deployment.localeCompare(b.deployment) ||
      a.image.localeCompare(b.image),
  );
}

/**
 * The drifts each run is in, by run id: what a view marks on a run, and says in its details.
 *
 * @example
 * driftsByRun(digestDrift(runs)).get(run.id)?.length; // 1: this run's image drifted
 */
export function driftsByRun(drifts: readonly DigestDrift[]): Map<string, DigestDrift[]> {
  const byRun = new Map<string, DigestDrift[]>();
  for (const drift of drifts)
    for (const { runIds } of drift.digests)
      for (const id of runIds) {
        const list = byRun.get(id);
        if (list === undefined) byRun.set(id, [drift]);
        else if (!list.includes(drift)) list.push(drift);
      }
  return byRun;
}

function byStartThenId(a: TaskRun, b: TaskRun): number {
  return a.startTime.localeCompare(b.startTime) || a.id.localeCompare(b.id);
}
