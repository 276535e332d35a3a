import type { DynamoDBClient, ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Item } from '../item-codec';

/**
 * Every item of a table, sorted by `pk` then `sk`: a table's whole content, to compare two
 * tables (or one table before and after) with `toEqual`.
 *
 * @example
 * expect(await scanTable(client, retried)).toEqual(await scanTable(client, direct));
 */
export async function scanTable(client: DynamoDBClient, tableName: string): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const output = await client.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }),
    );
    items.push(...((output.Items ?? []) as Item[]));
    startKey = output.LastEvaluatedKey;
  } while (startKey);
  const key = (item: Item) => `${text(item['pk'])}\u0000${text(item['sk'])}`;
  return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function text(value: Item[string] | undefined): string {
  return value && 'S' in value ? value.S : '';
}
