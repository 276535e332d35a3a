import { BatchExecuteStatementCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalDynamoDb } from '@ecslog/audit-store/testing';
import { createAuditTable, localClient, startDynamoDbLocal } from '@ecslog/audit-store/testing';
import type { CapacityMeter } from './capacity-meter';
import { meterCapacity } from './capacity-meter';

describe('meterCapacity on DynamoDB Local', () => {
  let server: LocalDynamoDb;
  let client: DynamoDBClient;
  let meter: CapacityMeter;
  let table: string;

  beforeAll(async () => {
    server = await startDynamoDbLocal();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    table = await createAuditTable(server.client);
    client = localClient(server.endpoint);
    meter = meterCapacity(client);
  });
  afterEach(() => client.destroy());

  const runItem = (rank: string, size: number) => ({
    pk: 'T#1',
    sk: 'RUN',
    rk: rank,
    rpk: 'S#2026-11-20T03#1',
    rsk: 'c#family:f#2026-11-20T03:00:00.000Z#1',
    r: new Uint8Array(size),
  });
  const putRun = (documents: DynamoDBDocumentClient, rank: string, size: number) =>
    documents.send(
      new PutCommand({
        TableName: table,
        Item: runItem(rank, size),
        ConditionExpression: 'attribute_not_exists(rk) OR rk < :rk',
        ExpressionAttributeValues: { ':rk': rank },
      }),
    );

  it('sums the table and index units a DocumentClient write reports, by item kind', async () => {
    const documents = DynamoDBDocumentClient.from(client);

    await putRun(documents, '1', 300);
    await putRun(documents, '2', 1500);

    expect(meter.requests).toEqual({ PutItem: 2 });
    expect(meter.reported.tableByKind).toMatchObject({ run: 1 + 2, history: 0 });
    expect(meter.reported.byIndex).toEqual({ runs: 1 + 2 });
    expect(meter.totalUnits()).toBe(6);
    expect(meter.totalRequests()).toBe(2);
  });

  it('adds the units of a failed condition, which DynamoDB Local does not report', async () => {
    const documents = DynamoDBDocumentClient.from(client);
    await putRun(documents, '5', 300);

    await expect(putRun(documents, '4', 1500)).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });

    expect(meter.failedConditions.count).toMatchObject({ run: 1 });
    expect(meter.failedConditions.units).toMatchObject({ run: 2 });
    expect(meter.reported.tableByKind.run).toBe(1);
    expect(meter.totalUnits()).toBe(1 + 1 + 2);
  });

  it('counts statements as unreported and Query items by the partition read', async () => {
    await client.send(
      new BatchExecuteStatementCommand({
        Statements: [
          {
            Statement: `INSERT INTO "${table}" VALUE {'pk': ?, 'sk': ?, 'rpk': ?, 'rsk': ?}`,
            Parameters: [{ S: 'T#2' }, { S: 'RUN' }, { S: 'S#OPEN#0' }, { S: 'a' }],
          },
        ],
      }),
    );
    await DynamoDBDocumentClient.from(client).send(
      new QueryCommand({
        TableName: table,
        IndexName: 'runs',
        KeyConditionExpression: 'rpk = :pk',
        ExpressionAttributeValues: { ':pk': 'S#OPEN#0' },
      }),
    );

    expect(meter.requests).toEqual({ BatchExecuteStatement: 1, Query: 1 });
    expect(meter.unreported).toEqual({ BatchExecuteStatement: 1 });
    expect(meter.itemsRead).toEqual({ 'runs index, open': 1 });
    expect(meter.totalUnits()).toBe(0);
  });
});
