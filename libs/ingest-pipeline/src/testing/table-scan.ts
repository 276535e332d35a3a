import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { storedItemsOf } from '@ecslog/audit-store';

/** An item as DynamoDB's low-level API returns it. */
export type RawItem = Record<string, AttributeValue>;

/** Every item of a table, sorted by key: two tables hold the same items iff these are equal. */
export async function scanTable(client: DynamoDBClient, tableName: string): Promise<RawItem[]> {
  const items: RawItem[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const output = await client.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }),
    );
    items.push(...(output.Items ?? []));
    startKey = output.LastEvaluatedKey;
  } while (startKey);
  return items.sort((a, b) => compare(keyOf(a), keyOf(b)));
}

/** `pk`, NUL, `sk` of each item, sorted: which items a table holds, whatever their content. */
export function itemKeys(items: readonly RawItem[]): string[] {
  return items.map(keyOf).sort(compare);
}

/** The keys of every item a table holds once `records` are written (in any order, any number of times). */
export function itemKeysOf(records: readonly AuditRecord[], retentionDays = 30): string[] {
  return storedItemsOf(records, retentionDays)
    .map((item) => `${String(item['pk'])}\u0000${String(item['sk'])}`)
    .sort(compare);
}

const keyOf = (item: RawItem) => `${item['pk']?.S ?? ''}\u0000${item['sk']?.S ?? ''}`;
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The instant every test runs at: a day after the fixtures' events, well within retention. */
export const TEST_NOW = new Date('2026-11-21T00:00:00.000Z');
