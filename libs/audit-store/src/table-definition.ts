/**
 * The audit table, as data: infra (CDK) and local mode create exactly this table.
 *
 * Single-table design, runs as the stored unit (README: "Table design"):
 * - base table `pk`/`sk`: a task's partition `T#<taskId>` holds its run (`RUN`) and its history
 *   (`H#<eventTime>#<id>`); other resources `R#<arn>` their history and latest state (`LATEST`);
 *   a task that never started `N#<recordId>` / `RUN`; carries `A#D#…` / `A#H#…`;
 * - `runs` (GSI): each run by the hour it started, `S#<YYYY-MM-DDTHH>#<shard>`, or while open
 *   `S#OPEN#<shard>`, sorted `<clusterArn>#<group>#<start>#<key>`;
 * - `failures` (GSI, sparse): failed runs and failed records by the day of the failure,
 *   `X#<YYYY-MM-DD>#<shard>` / `<time>#<key>`;
 * - `events` (GSI, sparse): a service's actions, deployments and API calls by day,
 *   `E#<service:NAME>#<YYYY-MM-DD>` / `<eventTime>#<clusterArn>#<id>`.
 * - `lookups` (GSI, sparse): a run by its task's address (`A#<ip>`) or container instance
 *   (`C#<id>`), on its run item and, for its other keys, on small companion items (`L#…`); a
 *   container instance's latest state by its EC2 instance id (`E#<i-…>`); sorted by the run's
 *   start `t0`.
 * The first three project everything, so a query needs no second read; `lookups` projects only
 * `t1` and `end` (INCLUDE): an index entry is written again only when one of them (or its key)
 * changes, so a run rewritten by later records costs the index nothing until it ends.
 */

export const TTL_ATTRIBUTE = 'ttl';

/**
 * Bumped whenever the keys or items change: a store of another layout is detected (local mode
 * stores it beside the table) instead of being read wrong.
 */
export const TABLE_LAYOUT_VERSION = 3;

export const INDEX = {
  runs: { name: 'runs', partitionKey: 'rpk', sortKey: 'rsk' },
  failures: { name: 'failures', partitionKey: 'fpk', sortKey: 'fsk' },
  events: { name: 'events', partitionKey: 'epk', sortKey: 'esk' },
  lookups: {
    name: 'lookups',
    partitionKey: 'lk',
    sortKey: 't0',
    projection: 'INCLUDE',
    nonKeyAttributes: ['t1', 'end'],
  },
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
    /** `ALL`, or `INCLUDE` the keys and {@link nonKeyAttributes} only. */
    projection: 'ALL' | 'INCLUDE';
    nonKeyAttributes?: readonly string[];
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
    ...('projection' in index
      ? { projection: index.projection, nonKeyAttributes: index.nonKeyAttributes }
      : { projection: 'ALL' as const }),
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
      Projection: {
        ProjectionType: index.projection,
        ...(index.nonKeyAttributes && { NonKeyAttributes: [...index.nonKeyAttributes] }),
      },
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
