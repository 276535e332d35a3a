import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAKE_COLUMNS, LAKE_PARTITION_COLUMN } from '@ecslog/ecs-event-mapper';

const ATHENA_DOC = join(__dirname, '..', '..', '..', 'docs', 'athena.md');

/** The queries of docs/athena.md: every SQL statement except the CREATE statements. */
function queriesOf(doc: string): string[] {
  return [...doc.matchAll(/```sql\n([\s\S]*?)```/g)]
    .flatMap((match) => (match[1] as string).split(/;\n/))
    .map((statement) => statement.replace(/--[^\n]*/g, '').trim())
    .filter((statement) => statement !== '' && !/^CREATE /.test(statement));
}

/** Column names a CREATE EXTERNAL TABLE of another table in the doc declares (flow logs). */
function otherTableColumns(doc: string): Set<string> {
  const names = new Set<string>();
  for (const match of doc.matchAll(
    /CREATE EXTERNAL TABLE IF NOT EXISTS ecslog\.(?!events)\w+ \(([\s\S]*?)\n\)/g,
  ))
    for (const column of (match[1] as string).matchAll(/`(\w+)`/g)) names.add(column[1] as string);
  for (const match of doc.matchAll(/PARTITIONED BY \(`(\w+)`/g)) names.add(match[1] as string);
  return names;
}

/** The struct fields of `containers`, from its declared type. */
const CONTAINER_FIELDS = new Set(
  [
    ...(LAKE_COLUMNS.find((column) => column.name === 'containers')?.type ?? '').matchAll(
      /(\w+):/g,
    ),
  ].map((match) => match[1] as string),
);

/**
 * The snake_case names a query uses as columns: words with an underscore that are not a
 * function (followed by `(`), not an alias or CTE it defines itself (`AS name`, `name AS (`),
 * and not inside a string literal.
 */
function columnNamesOf(query: string): { plain: string[]; ofContainer: string[] } {
  const code = query.replace(/'(?:[^']|'')*'/g, "''");
  const defined = new Set(
    [...code.matchAll(/\bAS (\w+)/gi), ...code.matchAll(/(\w+) AS \(/gi)].map(
      (match) => match[1] as string,
    ),
  );
  const ofContainer = [...code.matchAll(/\bc\.(\w+)/g)].map((match) => match[1] as string);
  const plain = [...code.matchAll(/(?<![.\w])([a-z][a-z0-9]*_[a-z0-9_]+)\b(?!\s*\()/g)]
    .map((match) => match[1] as string)
    .filter((name) => !defined.has(name));
  return { plain, ofContainer };
}

describe('the queries of docs/athena.md', () => {
  const doc = readFileSync(ATHENA_DOC, 'utf8');
  const known = new Set([
    // SQL's own values that look like columns
    'current_date',
    'current_timestamp',
    ...LAKE_COLUMNS.map((column) => column.name),
    LAKE_PARTITION_COLUMN.name,
    ...otherTableColumns(doc),
  ]);
  const queries = queriesOf(doc);

  it('are there: failures, durations, never started, a history, digests, addresses, flow logs', () => {
    expect(queries.length).toBeGreaterThanOrEqual(7);
    expect(queries.some((q) => q.includes('c.image_digest ='))).toBe(true);
    expect(queries.some((q) => q.includes("private_ipv4 = '"))).toBe(true);
    expect(queries.some((q) => /JOIN tasks AS t\s+ON \(f\.interface_id = t\.eni_id/.test(q))).toBe(
      true,
    );
  });

  it.each(queries.map((query, i) => [i + 1, query] as const))(
    'query %i names only columns the tables declare',
    (_, query) => {
      const { plain, ofContainer } = columnNamesOf(query);
      expect(plain.filter((name) => !known.has(name))).toEqual([]);
      expect(ofContainer.filter((name) => !CONTAINER_FIELDS.has(name))).toEqual([]);
    },
  );

  it('catches a column that does not exist (the check can fail)', () => {
    const { plain } = columnNamesOf("SELECT task_id, image_sha FROM ecslog.events WHERE x = 'a_b'");
    expect(plain.filter((name) => !known.has(name))).toEqual(['image_sha']);
  });
});
