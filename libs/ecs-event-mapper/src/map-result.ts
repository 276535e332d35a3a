import type { AuditRecord } from './audit-record';

/** One thing wrong with an input: where (a JSON path such as `detail.containers[0].exitCode`) and what. */
export interface Problem {
  path: string;
  message: string;
}

/** The event means something to the audit log: one or more records. */
export interface Mapped {
  kind: 'mapped';
  records: AuditRecord[];
}

/** A well-formed event that ecslog does not audit (another source, a read-only call, …). */
export interface Ignored {
  kind: 'ignored';
  reason: string;
}

/** An event ecslog should audit but cannot read. `input` is the original, untouched. */
export interface Invalid {
  kind: 'invalid';
  problems: Problem[];
  input: unknown;
}

/** The three outcomes of mapping one input. */
export type MapResult = Mapped | Ignored | Invalid;

export const mapped = (records: AuditRecord[]): Mapped => ({ kind: 'mapped', records });
export const ignored = (reason: string): Ignored => ({ kind: 'ignored', reason });
export const invalid = (problems: Problem[], input: unknown): Invalid => ({
  kind: 'invalid',
  problems,
  input,
});

/** Formats problems as one line: `detail.taskArn: is required; time: is not a timestamp`. */
export function describeProblems(problems: readonly Problem[]): string {
  return problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
}
