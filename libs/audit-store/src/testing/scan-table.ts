import type { AttributeValue, DynamoDBClient, ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/client-dynamodb';

/** An item as the low-level API returns it. */
export type RawItem = Record<string, AttributeValue>;

/**
 * Every item of a table, sorted by `pk` then `sk`: a table's whole content, to compare two
 * tables (or one table before and after) with `toEqual`.
 *
 * @example
 * expect(await scanTable(client, retried)).toEqual(await scanTable(client, direct));
 */
export async function scanTable(client: DynamoDBClient, tableName: string): Promise<RawItem[]> {
  const items: RawItem[] = [];
  let startKey: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const output = await client.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }),
    );
    items.push(...(output.Items ?? []));
    startKey = output.LastEvaluatedKey;
  } while (startKey);
  const key = (item: RawItem) => `${item['pk']?.S ?? ''}\u0000${item['sk']?.S ?? ''}`;
  return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
