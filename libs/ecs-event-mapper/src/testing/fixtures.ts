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
