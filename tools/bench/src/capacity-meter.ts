import type { ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Item } from '@ecslog/audit-store';
import { itemSizeBytes } from '@ecslog/audit-store';
import { performance } from 'node:perf_hooks';

/**
 * What a client sent and what DynamoDB said the writes cost, measured by a client middleware:
 * every request counted by command, and ReturnConsumedCapacity = INDEXES set on each write command
 * whose ConsumedCapacity is then summed (table and each index) by the kind of item written.
 */
export interface CapacityMeter {
  /** Requests sent, by command (`PutItem`, `BatchWriteItem`, `BatchExecuteStatement`, …). */
  requests: Record<string, number>;
  /** Write units DynamoDB reported, by item kind (table only) and by index. */
  reported: { tableByKind: Record<ItemKind, number>; byIndex: Record<string, number> };
  /** Conditional writes refused (ConditionalCheckFailedException), by item kind. */
  failedConditions: { count: Record<ItemKind, number>; units: Record<ItemKind, number> };
  /** Items put (BatchWriteItem, PutItem) or statements run (BatchExecuteStatement), by command. */
  operations: Record<string, number>;
  /** Time spent waiting for each command's responses, summed over its requests (ms). */
  milliseconds: Record<string, number>;
  /** Items Query read (ScannedCount), by the kind of partition read (see {@link partitionKindOf}). */
  itemsRead: Record<string, number>;
  /** Write commands whose response carried no ConsumedCapacity (e.g. BatchExecuteStatement). */
  unreported: Record<string, number>;
  /** Every write unit counted: reported + failed conditions. */
  totalUnits(): number;
  totalRequests(): number;
}

/** The kinds of item the audit writer writes (README of audit-store: "Table design"). */
export type ItemKind =
  'history' | 'run' | 'carry' | 'latest-state' | 'never-started' | 'companion' | 'mapping';

export const ITEM_KINDS: readonly ItemKind[] = [
  'history',
  'run',
  'carry',
  'latest-state',
  'never-started',
  'companion',
  'mapping',
];

/** Table set-up, not counted: the benchmark creates a table per run. */
const TABLE_COMMANDS = new Set(['CreateTable', 'UpdateTimeToLive', 'DescribeTable', 'ListTables']);

/** Write commands that accept ReturnConsumedCapacity and that the meter reads. */
const METERED_COMMANDS = new Set(['PutItem', 'BatchWriteItem', 'UpdateItem', 'DeleteItem']);

/**
 * The kind of an item, by its keys: `T#…/RUN`, `N#…/RUN`, `A#…` carries, `…/LATEST`, a run's
 * lookup companions `T#…/L#…`, image mappings `M#…`, else history.
 */
export function itemKindOf(item: Record<string, unknown>): ItemKind {
  const pk = String(item['pk'] ?? '');
  const sk = String(item['sk'] ?? '');
  if (pk.startsWith('A#')) return 'carry';
  if (pk.startsWith('M#')) return 'mapping';
  if (sk.startsWith('L#')) return 'companion';
  if (sk === 'LATEST') return 'latest-state';
  if (sk === 'RUN') return pk.startsWith('N#') ? 'never-started' : 'run';
  return 'history';
}

/**
 * The write units DynamoDB bills for a conditional write whose condition failed, which DynamoDB
 * Local does not report (its ConditionalCheckFailedException carries no ConsumedCapacity): the
 * item's size in KB rounded up, at least 1, on the table only — nothing is written to an index.
 * (DynamoDB Developer Guide, conditional writes: a failed condition still consumes write
 * capacity, by the size of the existing item, a minimum of 1; the item offered stands for the
 * existing one here, which is the same item at another rank, within bytes of it.)
 */
export function failedConditionUnits(item: Item): number {
  return Math.max(1, Math.ceil(itemSizeBytes(item) / 1024));
}

function zeroByKind(): Record<ItemKind, number> {
  return {
    history: 0,
    run: 0,
    carry: 0,
    'latest-state': 0,
    'never-started': 0,
    companion: 0,
    mapping: 0,
  };
}

/** What a Query's partition key reads: the run index by start hour or open, carries, a task… */
export function partitionKindOf(partitionKey: string): string {
  if (partitionKey.startsWith('S#OPEN#')) return 'runs index, open';
  if (partitionKey.startsWith('S#')) return 'runs index, by start hour';
  if (partitionKey.startsWith('A#D#')) return 'day carries';
  if (partitionKey.startsWith('A#H#')) return 'hour carries';
  return partitionKey.split('#')[0] ?? 'other';
}

/** Items a write command writes, in the document (native) form the writer sends. */
function itemsOf(command: string, input: Record<string, unknown>): Item[] {
  if (command === 'PutItem') return [input['Item'] as Item];
  if (command === 'BatchWriteItem') {
    const requests = Object.values(
      (input['RequestItems'] ?? {}) as Record<string, { PutRequest?: { Item: Item } }[]>,
    ).flat();
    return requests.flatMap((request) => (request.PutRequest ? [request.PutRequest.Item] : []));
  }
  if (command === 'UpdateItem' || command === 'DeleteItem') return [input['Key'] as Item];
  return [];
}

/**
 * Adds the meter to a client (and so to every DynamoDBDocumentClient made from it, which shares
 * its middleware stack). Use a client of its own: the meter counts everything sent through it.
 */
export function meterCapacity(client: DynamoDBClient): CapacityMeter {
  const meter: CapacityMeter = {
    requests: {},
    reported: { tableByKind: zeroByKind(), byIndex: {} },
    failedConditions: { count: zeroByKind(), units: zeroByKind() },
    operations: {},
    milliseconds: {},
    itemsRead: {},
    unreported: {},
    totalUnits: () =>
      sum(Object.values(meter.reported.tableByKind)) +
      sum(Object.values(meter.reported.byIndex)) +
      sum(Object.values(meter.failedConditions.units)),
    totalRequests: () => sum(Object.values(meter.requests)),
  };
  const add = (counts: Record<string, number>, key: string, value: number) => {
    counts[key] = (counts[key] ?? 0) + value;
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      if (TABLE_COMMANDS.has(command)) return next(args);
      add(meter.requests, command, 1);
      const start = performance.now();
      const timed = async <T>(result: Promise<T>): Promise<T> => {
        try {
          return await result;
        } finally {
          add(meter.milliseconds, command, performance.now() - start);
        }
      };
      if (command === 'Query') {
        const result = await timed(next(args));
        const values = (args.input as { ExpressionAttributeValues?: Record<string, unknown> })
          .ExpressionAttributeValues;
        const kind = partitionKindOf(String(values?.[':pk'] ?? ''));
        add(meter.itemsRead, kind, (result.output as { ScannedCount?: number }).ScannedCount ?? 0);
        return result;
      }
      if (!METERED_COMMANDS.has(command)) {
        const statements = (args.input as { Statements?: unknown[] }).Statements;
        if (statements !== undefined) add(meter.operations, command, statements.length);
        if (command === 'BatchExecuteStatement' || command === 'ExecuteStatement')
          add(meter.unreported, command, 1);
        return timed(next(args));
      }
      const input = {
        ...(args.input as Record<string, unknown>),
        ReturnConsumedCapacity: 'INDEXES',
      };
      const items = itemsOf(command, input);
      add(meter.operations, command, items.length);
      try {
        const result = await timed(next({ ...args, input }));
        const output = result.output as {
          ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[];
        };
        const consumed = [output.ConsumedCapacity ?? []].flat();
        if (consumed.length === 0) add(meter.unreported, command, 1);
        for (const capacity of consumed) {
          for (const [kind, units] of shareByKind(items, capacity.Table?.CapacityUnits ?? 0))
            add(meter.reported.tableByKind, kind, units);
          for (const [index, units] of Object.entries(capacity.GlobalSecondaryIndexes ?? {}))
            add(meter.reported.byIndex, index, units.CapacityUnits ?? 0);
        }
        return result;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException')
          for (const item of items) {
            const kind = itemKindOf(item);
            add(meter.failedConditions.count, kind, 1);
            add(meter.failedConditions.units, kind, failedConditionUnits(item));
          }
        throw error;
      }
    },
    { step: 'initialize', name: 'benchCapacityMeter' },
  );
  return meter;
}

/**
 * A BatchWriteItem reports one sum per table for items of several kinds (history items and
 * never-started runs): shared out by each item's own units, its size in KB rounded up, as DynamoDB
 * bills each put of a batch.
 */
function shareByKind(items: readonly Item[], units: number): [ItemKind, number][] {
  if (items.length <= 1) return [[itemKindOf(items[0] ?? {}), units]];
  const own = zeroByKind();
  for (const item of items)
    own[itemKindOf(item)] += Math.max(1, Math.ceil(itemSizeBytes(item) / 1024));
  const total = sum(Object.values(own));
  return ITEM_KINDS.filter((kind) => own[kind] > 0).map((kind) => [
    kind,
    (units * own[kind]) / total,
  ]);
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
