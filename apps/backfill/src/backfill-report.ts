/**
 * What people see of a backfill: a progress line on a terminal while it runs, and a summary at the
 * end (a table, or JSON with `--json`). Pure: text in, text out.
 */
import type { BackfillTally } from './backfill-tally';

export interface ProgressFacts {
  tally: BackfillTally;
  elapsedMs: number;
  /** Chunks in the whole run, when the source knows (files listed up front). */
  totalChunks?: number;
}

/** `42/120 files · read 12,345 · mapped 3,210 · written 3,100 · 1,234 records/s · ETA 1m05s`. */
export function progressLine({ tally, elapsedMs, totalChunks }: ProgressFacts): string {
  const perSecond = elapsedMs > 0 ? (tally.read * 1000) / elapsedMs : 0;
  const parts = [
    totalChunks === undefined
      ? `${count(tally.chunks)} chunks`
      : `${count(tally.chunks)}/${count(totalChunks)} chunks`,
    `read ${count(tally.read)}`,
    `mapped ${count(tally.mapped)}`,
    `written ${count(tally.written)}`,
    `already there ${count(tally.alreadyPresent)}`,
    `${count(Math.round(perSecond))} records/s`,
  ];
  if (totalChunks !== undefined && tally.chunks > 0 && tally.chunks < totalChunks) {
    const remainingMs = (elapsedMs / tally.chunks) * (totalChunks - tally.chunks);
    parts.push(`ETA ${duration(remainingMs)}`);
  }
  return parts.join(' · ');
}

export interface BackfillSummary {
  source: string;
  sink: string;
  dryRun: boolean;
  complete: boolean;
  seconds: number;
  tally: BackfillTally;
}

/** The summary as a plain-text table. */
export function renderSummary(summary: BackfillSummary): string {
  const { tally } = summary;
  const rows: [string, string][] = [
    ['source', summary.source],
    ['sink', summary.dryRun ? `${summary.sink} (dry run: nothing written)` : summary.sink],
    ['status', summary.complete ? 'complete' : 'stopped early: continue with --resume'],
    ['chunks read', count(tally.chunks)],
    ['records read', count(tally.read)],
    ['mapped', count(tally.mapped)],
    ['ignored', count(tally.ignored)],
    ['invalid (quarantined)', count(tally.invalid)],
    ['audit records', count(tally.records)],
    ['written', count(tally.written)],
    ['already present', count(tally.alreadyPresent)],
    ['past retention (not stored)', count(tally.expired)],
    ['unreadable chunks', count(tally.unreadable.length)],
    ['seconds', summary.seconds.toFixed(1)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
  const section = (title: string, counts: Record<string, number>) => {
    const entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    if (entries.length === 0) return [];
    const w = Math.max(...entries.map(([name]) => name.length));
    return ['', title, ...entries.map(([name, n]) => `  ${name.padEnd(w)}  ${count(n)}`)];
  };
  return [
    ...lines,
    ...section('mapped calls by eventName', tally.byEventName),
    ...section('audit records by outcome', tally.byOutcome),
    ...(tally.unreadable.length > 0
      ? ['', 'unreadable', ...tally.unreadable.map((u) => `  ${u.name}: ${u.problem}`)]
      : []),
  ].join('\n');
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
