import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LakeColumn } from '@ecslog/ecs-event-mapper';
import { LAKE_COLUMNS, LAKE_PARTITION_COLUMN } from '@ecslog/ecs-event-mapper';

const ATHENA_DOC = join(__dirname, '..', '..', '..', 'docs', 'athena.md');

/** A column as the DDL in docs/athena.md writes it. */
const columnLine = (column: LakeColumn) =>
  `  \`${column.name}\` ${column.type} COMMENT '${column.comment.replace(/['\\]/g, '\\$&')}'`;

/** The CREATE EXTERNAL TABLE statement of docs/athena.md. */
function createTableStatement(): string {
  const doc = readFileSync(ATHENA_DOC, 'utf8');
  const blocks = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((match) => match[1] as string);
  const statement = blocks
    .flatMap((block) => block.split(/;\n/))
    .find((part) => part.includes('CREATE EXTERNAL TABLE'));
  if (!statement) throw new Error(`no CREATE EXTERNAL TABLE in ${ATHENA_DOC}`);
  return statement.slice(statement.indexOf('CREATE EXTERNAL TABLE'));
}

/** The column lines between `CREATE EXTERNAL TABLE … (` and `)`. */
function columnLines(statement: string): string[] {
  const lines = statement.split('\n');
  const end = lines.indexOf(')');
  return lines.slice(1, end).map((line) => line.replace(/,$/, ''));
}

describe('docs/athena.md', () => {
  const statement = createTableStatement();

  it('declares exactly the LAKE_COLUMNS, names and types in order', () => {
    const declared = columnLines(statement).map((line) => {
      const match = /^\s*`([a-z0-9_]+)` (\S+) COMMENT /.exec(line);
      return match ? { name: match[1], type: match[2] } : { unreadable: line };
    });

    expect(declared).toEqual(LAKE_COLUMNS.map(({ name, type }) => ({ name, type })));
  });

  it('has the DDL generated from LAKE_COLUMNS, comments included (paste the expected lines on a diff)', () => {
    expect(columnLines(statement).join(',\n')).toBe(LAKE_COLUMNS.map(columnLine).join(',\n'));
  });

  it('partitions on dt with projection over the Firehose prefix, read by the OpenX JSON SerDe', () => {
    expect(statement).toContain(
      `PARTITIONED BY (\`${LAKE_PARTITION_COLUMN.name}\` ${LAKE_PARTITION_COLUMN.type} COMMENT '${LAKE_PARTITION_COLUMN.comment}')`,
    );
    expect(statement).toContain("ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'");
    expect(statement).toContain("LOCATION 's3://<bucket>/events/'");
    for (const property of [
      "'projection.enabled' = 'true'",
      "'projection.dt.type' = 'date'",
      "'projection.dt.format' = 'yyyy-MM-dd'",
      "'projection.dt.range' = '2024-01-01,NOW'",
      "'storage.location.template' = 's3://<bucket>/events/dt=${dt}/'",
    ])
      expect(statement).toContain(property);
  });
});
