/**
 * Reading ISO times fast: every run, bar and packed timeline reads several, and the stored ones
 * are all written as `Date.prototype.toISOString` writes them, which the mapper's
 * `canonicalIsoMs` reads without parsing.
 */
import { canonicalIsoMs } from '@ecslog/ecs-event-mapper';

/** `Date.parse`, reading a time written as toISOString writes it without parsing it. */
export function parseTime(iso: string): number {
  const ms = canonicalIsoMs(iso);
  return Number.isNaN(ms) ? Date.parse(iso) : ms;
}
