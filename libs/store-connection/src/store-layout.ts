/**
 * Which table layout a local store has, so that a store made by another ecslog version is never
 * read wrong: `store-layout.json` beside the store records the layout the table was created with
 * (`TABLE_LAYOUT_VERSION` of `@ecslog/audit-store`), and the table's own index names tell the
 * layouts that came before the file (layout 1: byCluster / byGroup / byFailure) and tell
 * layout 2 (runs / failures / events) from layout 3 (those and lookups).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createTableInput, TABLE_LAYOUT_VERSION } from '@ecslog/audit-store';

/** The index names of layout 1 (events as the stored unit, with lookup items). */
export const LAYOUT_1_INDEXES: readonly string[] = ['byCluster', 'byFailure', 'byGroup'];

/** The index names of layout 2 (runs as the stored unit, before the provenance lookups). */
export const LAYOUT_2_INDEXES: readonly string[] = ['events', 'failures', 'runs'];

const CURRENT_INDEXES: readonly string[] = (
  createTableInput('any').GlobalSecondaryIndexes ?? []
).map((index) => index.IndexName);

/**
 * What to do with an existing table:
 * - `use`: it has this version's layout (`record`: the layout file is missing, write it);
 * - `migrate`: an older layout whose records this version can copy into a table of its own;
 * - `refuse`: a layout this version cannot read (`layout` when known); say so, change nothing.
 */
export type LayoutDecision =
  | { action: 'use'; record: boolean }
  | { action: 'migrate'; from: number }
  | { action: 'refuse'; layout?: number; indexes: string[] };

/**
 * Decides from the table's index names (DescribeTable) and the layout the file records, if any.
 * The index names win over the file for the layouts they tell apart: a file says what was created
 * beside it once, but the store may since have been swapped by hand.
 */
export function decideLayout(table: {
  indexes: readonly string[];
  recorded?: number;
}): LayoutDecision {
  const indexes = [...table.indexes].sort();
  if (sameNames(indexes, LAYOUT_1_INDEXES)) return { action: 'migrate', from: 1 };
  // Layout 2 wrote the layout file; its index names alone tell it from this layout all the same.
  if (sameNames(indexes, LAYOUT_2_INDEXES) && (table.recorded ?? 2) === 2)
    return { action: 'migrate', from: 2 };
  if (sameNames(indexes, CURRENT_INDEXES)) {
    if (table.recorded === undefined) return { action: 'use', record: true };
    if (table.recorded === TABLE_LAYOUT_VERSION) return { action: 'use', record: false };
  }
  return {
    action: 'refuse',
    indexes,
    ...(table.recorded === undefined ? {} : { layout: table.recorded }),
  };
}

/** The one line a refused store gets: what it is and what to do. */
export function refusalMessage(
  decision: Extract<LayoutDecision, { action: 'refuse' }>,
  where: string,
  store: string,
): string {
  const what =
    decision.layout !== undefined && decision.layout > TABLE_LAYOUT_VERSION
      ? `was made by a newer ecslog (table layout ${decision.layout}; this one reads layout ${TABLE_LAYOUT_VERSION}); use that ecslog, or move ${store} away to start an empty store`
      : `has a table layout this ecslog does not know (indexes: ${decision.indexes.join(', ') || 'none'}${decision.layout === undefined ? '' : `, layout ${decision.layout}`}); move ${store} away to start an empty store`;
  return `the local store in ${where} ${what}`;
}

/** The layout `store-layout.json` records; undefined when there is no such file. */
export async function readRecordedLayout(file: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const layout = (JSON.parse(text) as { layout?: unknown }).layout;
  if (typeof layout !== 'number' || !Number.isSafeInteger(layout))
    throw new Error(`${file} records no table layout`);
  return layout;
}

export async function recordLayout(file: string): Promise<void> {
  await writeFile(file, `${JSON.stringify({ layout: TABLE_LAYOUT_VERSION })}\n`, { mode: 0o600 });
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const sorted = [...b].sort();
  return a.length === sorted.length && a.every((name, i) => name === sorted[i]);
}
