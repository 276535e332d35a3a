/**
 * The audit table, as data: infra (CDK) and local mode create exactly this table.
 *
 * Single-table design (README: "Table design"):
 * - base table `pk`/`sk`: a resource's history (`R#<resourceArn>` / `H#<eventTime>#<suffix>`)
 *   and its latest state (`R#<resourceArn>` / `LATEST`);
 * - `byCluster` (GSI1): every record of a cluster by day, `C#<clusterArn>#<YYYY-MM-DD>` / eventTime;
 * - `byGroup` (GSI2): every record of a service or task family (ECS's `group`, `service:NAME` or
 *   `family:NAME`) by day, `G#<clusterArn>#<group>#<YYYY-MM-DD>` / eventTime;
 * - `byFailure` (GSI3, sparse): failed records by day, `X#<YYYY-MM-DD>` / eventTime.
 * All indexes project everything, so a query needs no second read.
 */

export const TTL_ATTRIBUTE = 'ttl';

export const INDEX = {
  byCluster: { name: 'byCluster', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  byGroup: { name: 'byGroup', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  byFailure: { name: 'byFailure', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
} as const;

export type IndexName = keyof typeof INDEX;

/** A key attribute: every key of the table and its indexes is a string. */
export interface KeyAttribute {
  name: string;
  type: 'S';
}

export interface AuditTableDefinition {
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  globalSecondaryIndexes: readonly {
    indexName: string;
    partitionKey: KeyAttribute;
    sortKey: KeyAttribute;
    projection: 'ALL';
  }[];
  timeToLiveAttribute: string;
  billingMode: 'PAY_PER_REQUEST';
}

const S = (name: string): KeyAttribute => ({ name, type: 'S' });

/** The table's keys, indexes and TTL attribute. */
export const AUDIT_TABLE: AuditTableDefinition = {
  partitionKey: S('pk'),
  sortKey: S('sk'),
  globalSecondaryIndexes: Object.values(INDEX).map((index) => ({
    indexName: index.name,
    partitionKey: S(index.partitionKey),
    sortKey: S(index.sortKey),
    projection: 'ALL' as const,
  })),
  timeToLiveAttribute: TTL_ATTRIBUTE,
  billingMode: 'PAY_PER_REQUEST',
};

/**
 * The DynamoDB CreateTable input for the audit table (pay per request). TTL is enabled with a
 * separate UpdateTimeToLive call: see {@link timeToLiveInput}.
 */
export function createTableInput(tableName: string) {
  const attributes = [
    AUDIT_TABLE.partitionKey,
    AUDIT_TABLE.sortKey,
    ...AUDIT_TABLE.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: AUDIT_TABLE.billingMode,
    AttributeDefinitions: attributes.map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    KeySchema: [
      { AttributeName: AUDIT_TABLE.partitionKey.name, KeyType: 'HASH' as const },
      { AttributeName: AUDIT_TABLE.sortKey.name, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: AUDIT_TABLE.globalSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: index.projection },
    })),
  };
}

/** The UpdateTimeToLive input that turns on expiry by the `ttl` attribute. */
export function timeToLiveInput(tableName: string) {
  return {
    TableName: tableName,
    TimeToLiveSpecification: { AttributeName: AUDIT_TABLE.timeToLiveAttribute, Enabled: true },
  };
}
