import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Folder of the realistic JSON fixtures (written from the AWS docs' shapes, invented ids). */
export const FIXTURES_DIR = join(__dirname, '..', '..', 'tests', 'events');

/** Path of a fixture, e.g. `eventbridge/task-stopped-oom.json`. */
export function fixturePath(relativePath: string): string {
  return join(FIXTURES_DIR, relativePath);
}

/** A parsed fixture. */
export function loadFixture<T = Record<string, unknown>>(relativePath: string): T {
  return JSON.parse(readFileSync(fixturePath(relativePath), 'utf8')) as T;
}

/** The fixture files of one Fargate service task's whole lifecycle, versions 1 to 7, in order. */
export const TASK_LIFECYCLE_FIXTURES = [
  'eventbridge/task-lifecycle-01-provisioning.json',
  'eventbridge/task-lifecycle-02-pending.json',
  'eventbridge/task-lifecycle-03-activating.json',
  'eventbridge/task-lifecycle-04-running.json',
  'eventbridge/task-lifecycle-05-deactivating.json',
  'eventbridge/task-lifecycle-06-stopping.json',
  'eventbridge/task-lifecycle-07-stopped.json',
] as const;
