import type { AuditRecord } from '../audit-record';
import { mapEvent } from '../map-event';
import { loadFixture } from './fixtures';

/** The records `input` maps to. Throws unless it maps: a test's own input is then wrong. */
export function mappedRecords(input: unknown): AuditRecord[] {
  const result = mapEvent(input);
  if (result.kind !== 'mapped') throw new Error(`expected mapped, got ${result.kind}`);
  return result.records;
}

/** The records a fixture maps to, e.g. `eventbridge/task-stopped-oom.json`. */
export function fixtureRecords(relativePath: string): AuditRecord[] {
  try {
    return mappedRecords(loadFixture(relativePath));
  } catch (error) {
    throw new Error(`${relativePath}: ${(error as Error).message}`);
  }
}
