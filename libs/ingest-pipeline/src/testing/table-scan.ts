import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Item } from '@ecslog/audit-store';

/** Every item of a table, sorted by key: two tables hold the same items iff these are equal. */
export async function scanTable(client: DynamoDBClient, tableName: string): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await client.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey as never }),
    );
    items.push(...((output.Items ?? []) as Item[]));
    startKey = output.LastEvaluatedKey;
  } while (startKey);
  const key = (item: Item) => {
    const pk = item['pk'];
    const sk = item['sk'];
    return `${pk && 'S' in pk ? pk.S : ''}\u0000${sk && 'S' in sk ? sk.S : ''}`;
  };
  return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** The instant every test runs at: a day after the fixtures' events, well within retention. */
export const TEST_NOW = new Date('2026-11-21T00:00:00.000Z');
