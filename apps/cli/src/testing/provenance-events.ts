/**
 * ECS events of tasks whose provenance the lookups find: service `web`'s tasks of one
 * deployment, one of them re-pulled as another digest of the same tag (digest drift), an address
 * held by one task and then by another, and a scheduled task on an EC2 host whose container
 * instance record names its EC2 instance. Built from the mapper's documented fixtures with
 * invented ids. Used only by tests.
 */
import { loadFixture } from '@ecslog/ecs-event-mapper/testing';

export const DEPLOYMENT = 'ecs-svc/1234567890123456789';
export const WEB_IMAGE = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/web:v2.13.0';
export const DIGEST_BEFORE = `sha256:${'1'.repeat(64)}`;
/** The tag's digest after it was re-pushed mid-deployment. */
export const DIGEST_AFTER = `sha256:${'2'.repeat(64)}`;
export const REUSED_ADDRESS = '10.20.41.10';
export const EC2_INSTANCE_ID = 'i-0f9e8d7c6b5a41302';
export const CONTAINER_INSTANCE_ARN =
  'arn:aws:ecs:eu-west-1:111122223333:container-instance/batch/9d4f1b7e2c8a4e60b3d5f8a1c7e2b946';

export interface ProvenanceTask {
  taskId: string;
  address: string;
  digest: string;
  /** ISO-8601: created. */
  from: string;
  /** ISO-8601: stopped. */
  to: string;
}

/** Held 10.20.41.10 from 03:00 to 05:00, ran the tag's first digest. */
export const FIRST = task('a1000000000000000000000000000001', REUSED_ADDRESS, DIGEST_BEFORE, 3, 5);
/** Beside it, 10.20.41.11, the same digest. */
export const SECOND = task(
  'a2000000000000000000000000000002',
  '10.20.41.11',
  DIGEST_BEFORE,
  3.25,
  5,
);
/** Placed later in the same deployment, after the tag was re-pushed; got 10.20.41.10 again. */
export const THIRD = task('a3000000000000000000000000000003', REUSED_ADDRESS, DIGEST_AFTER, 6, 8);
/** A scheduled task in bridge mode on an EC2 host (no ENI), RUNNING since 05:10. */
export const ON_HOST_TASK_ID = '0c5e8f2a9b1d4e7f8a3c6b2d5e9f1a04';

function task(
  taskId: string,
  address: string,
  digest: string,
  fromHour: number,
  toHour: number,
): ProvenanceTask {
  const at = (hour: number) => new Date(Date.UTC(2026, 10, 20) + hour * 3_600_000).toISOString();
  return { taskId, address, digest, from: at(fromHour), to: at(toHour) };
}

/** The STOPPED state change of a `web` task (Fargate, awsvpc) with these facts. */
export function webTaskEvent(facts: ProvenanceTask): Record<string, unknown> {
  const text = JSON.stringify(loadFixture('eventbridge/task-lifecycle-07-stopped.json'))
    .replaceAll('7f3c9a1e5b2d4c8f9a6e0b1d2c3f4a5b', facts.taskId)
    .replaceAll('10.20.41.187', facts.address)
    .replaceAll('ip-10-20-41-187', `ip-${facts.address.replaceAll('.', '-')}`)
    .replaceAll(
      'sha256:5c1e9d0b7a3f48e2c6d1b9a07f3e2d4c8b6a5f1e0d9c7b3a2e4f6d8c0b1a3e5f',
      facts.digest,
    );
  const event = JSON.parse(text) as Record<string, unknown>;
  const detail = event['detail'] as Record<string, unknown>;
  const plus = (ms: number) => new Date(Date.parse(facts.from) + ms).toISOString();
  Object.assign(detail, {
    createdAt: facts.from,
    connectivityAt: plus(10_000),
    pullStartedAt: plus(15_000),
    pullStoppedAt: plus(30_000),
    startedAt: plus(40_000),
    stoppingAt: facts.to,
    executionStoppedAt: facts.to,
    stoppedAt: facts.to,
    updatedAt: facts.to,
  });
  event['id'] = `00000000-0000-4000-8000-${facts.taskId.slice(0, 12)}`;
  event['time'] = facts.to.replace(/\.\d{3}Z$/, 'Z');
  return event;
}

/**
 * Every event: a service action of `web`, the three `web` tasks, the task on the EC2 host, and
 * its container instance's state change (which names the EC2 instance).
 */
export function provenanceEvents(): Record<string, unknown>[] {
  const instance = JSON.stringify(loadFixture('eventbridge/container-instance-draining.json'))
    .replaceAll(
      'arn:aws:ecs:us-east-1:444455556666:container-instance/batch/9d2f6a1c0b7e48d3a5c1e7f02b9d4a66',
      CONTAINER_INSTANCE_ARN,
    )
    .replaceAll('444455556666', '111122223333')
    .replaceAll('us-east-1', 'eu-west-1');
  return [
    // Service web's steady state in prod-web at 03:06: its events name its cluster.
    loadFixture('eventbridge/service-action-steady-state.json'),
    ...[FIRST, SECOND, THIRD].map(webTaskEvent),
    loadFixture('eventbridge/task-running-ec2-bridge.json'),
    JSON.parse(instance) as Record<string, unknown>,
  ];
}
