import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { AUDIT_TABLE } from '../table-definition';
import type { LocalDynamoDb, LocalDynamoDbKind } from './local-dynamodb';
import { createAuditTable, startLocalDynamoDb } from './local-dynamodb';

describe.each<LocalDynamoDbKind>(['dynamodb-local', 'dynalite'])('%s', (kind) => {
  let server: LocalDynamoDb;

  beforeAll(async () => {
    server = await startLocalDynamoDb(kind);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('creates the audit table exactly as defined', async () => {
    const name = await createAuditTable(server.client);

    const { Table } = await server.client.send(new DescribeTableCommand({ TableName: name }));

    expect(Table?.KeySchema?.map((k) => k.AttributeName)).toEqual([
      AUDIT_TABLE.partitionKey.name,
      AUDIT_TABLE.sortKey.name,
    ]);
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(
      AUDIT_TABLE.globalSecondaryIndexes.map((i) => i.indexName).sort(),
    );
  });
});
