/**
 * What notifications cost: the notifier's DynamoDB units and Lambda time per event, against the
 * audit writer's own units for the same events, measured in the same run on DynamoDB Local.
 *
 * The benchmark mix (the live-traffic sample the store benchmark writes) goes through the audit
 * writer in Lambda-sized batches; the records each batch wrote go to `notifier.observe` and its
 * messages to a channel that records them, as local mode does and as the table's stream hands
 * them to the notifier Lambda. A second client, metered, carries only the notifier's requests.
 * Then one `tick` (the schedule's every 5 minutes) is measured alone.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import { sampleLiveTraffic } from '@ecslog/ecs-event-mapper/testing';
import { createAuditWriter } from '@ecslog/audit-store';
import { createAuditTable, localClient, startDynamoDbLocal } from '@ecslog/audit-store/testing';
import type { IncidentMessage } from '@ecslog/incidents';
import { DEFAULT_NOTIFY_CONFIG } from '@ecslog/incidents';
import type { Channel, DeadLetters } from '@ecslog/notifier';
import { createIncidentReader, createNotifier } from '@ecslog/notifier';
import { makesRun, runIdOf } from '@ecslog/task-runs';
import { simulateDay } from '@ecslog/simulator';
import { performance } from 'node:perf_hooks';
import { meterCapacity } from './capacity-meter';

/** Records per writer call and per `observe`: the Kinesis/stream batch size of the pipeline. */
const BATCH_RECORDS = 100;
/** The notifier Lambda's memory (apps/infra), for GB-seconds. */
const NOTIFIER_MEMORY_GB = 0.25;

export interface IncidentsBenchmarkResult {
  benchmark: 'incidents';
  server: 'dynamodb-local';
  mix: IncidentsMix;
  events: number;
  records: number;
  /** Records whose write changed the store (what the stream or the local writer hands on). */
  writtenRecords: number;
  /** The baseline: the audit writer's write units per event in this run (PutItem path). */
  writerWriteUnitsPerEvent: number;
  /** The notifier's write units per event (reported + failed conditions). */
  notifierWriteUnitsPerEvent: number;
  /** The notifier's write units per event by the item written (state, watch, history, mute). */
  notifierWriteUnitsByItem: Record<string, number>;
  /** notifier / writer. */
  writeUnitsRatio: number;
  /** The notifier's requests per event, by command. */
  notifierRequestsPerEvent: Record<string, number>;
  /** Read units per event, as DynamoDB Local reported them (ReturnConsumedCapacity TOTAL). */
  notifierReadUnitsPerEvent: number;
  /** Wall time of `observe` + `deliverPending` per event, ms (DynamoDB Local on this machine). */
  notifierMsPerEvent: number;
  /** The writer's own time per event in the same run, ms: the baseline for the notifier's. */
  writerMsPerEvent: number;
  perMillionEvents: {
    writeUnits: number;
    readUnits: number;
    /** Lambda GB-seconds at the notifier's memory, from the measured time. */
    lambdaGbSeconds: number;
  };
  /** What the run told: messages by kind, incidents by kind, failed runs counted. */
  told: { messages: Record<string, number>; incidents: Record<string, number>; failedRuns: number };
  /** Failed runs in the mix, and messages per failed run (the point: ≪ 1). */
  failedRunsInMix: number;
  messagesPerFailedRun: number;
  /** One tick, alone: its requests, items read and time. */
  tick: { requests: Record<string, number>; itemsRead: number; milliseconds: number };
  method: string;
}

/**
 * Write units the notifier's writes reported, by the item: its partition (`I#STATE`, `I#HIST`, …)
 * and, in the state partition, the kind of item (`incident`, `service`, `schedule` by the first
 * part of the sort key's document kind is not in the key: the key's shape tells it).
 */
function meterUnitsByNotifierItem(client: DynamoDBClient): {
  writes: Record<string, number>;
  reads: { units: number };
} {
  const writes: Record<string, number> = {};
  const reads = { units: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? '').replace(/Command$/, '');
      const isRead = command === 'GetItem' || command === 'BatchGetItem' || command === 'Query';
      const input = (
        isRead ? { ...(args.input as object), ReturnConsumedCapacity: 'TOTAL' } : args.input
      ) as { Key?: Record<string, unknown>; Item?: Record<string, unknown> };
      const key = input.Key ?? input.Item;
      const result = await next({ ...args, input });
      const consumed = [
        (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity ?? [],
      ].flat() as { CapacityUnits?: number }[];
      const units = consumed.reduce((total, capacity) => total + (capacity.CapacityUnits ?? 0), 0);
      if (isRead) reads.units += units;
      else if (key !== undefined && consumed.length > 0) {
        const name = `${String(key['pk'])}${sortKeyShape(String(key['sk'] ?? ''))}`;
        writes[name] = (writes[name] ?? 0) + units;
      }
      return result;
    },
    { step: 'initialize', name: 'benchUnitsByNotifierItem', priority: 'low' },
  );
  return { writes, reads };
}

/** ` V#…` / ` J#…` (watches), ` incident`, … from a notifier sort key. */
function sortKeyShape(sortKey: string): string {
  if (/^[A-Z]#/.test(sortKey)) return ` ${sortKey.slice(0, 2)}…`;
  return sortKey.startsWith('arn:') ? ' <incident id>' : '';
}

/**
 * The two mixes: `live-traffic` (the store benchmark's: failures spread evenly over 48 workloads
 * and every category, the worst case for grouping) and `simulated-days` (local mode's day, several
 * seeds: failures as they come in life, a crash loop, a failing deployment, a few job failures).
 */
export type IncidentsMix = 'live-traffic' | 'simulated-days';

function eventsOf(mix: IncidentsMix, events: number, seed: number): unknown[] {
  if (mix === 'live-traffic') return sampleLiveTraffic({ events, seed });
  const all: unknown[] = [];
  for (let day = 0; all.length < events; day += 1)
    all.push(
      ...simulateDay({
        seed,
        dayOfRun: day,
        start: new Date(Date.UTC(2026, 10, 20 + day)).toISOString(),
      }).events,
    );
  return all.slice(0, events);
}

export async function runIncidentsBenchmarks(options: {
  events: number;
  seed: number;
}): Promise<IncidentsBenchmarkResult[]> {
  const results: IncidentsBenchmarkResult[] = [];
  for (const mix of ['live-traffic', 'simulated-days'] as const)
    results.push(await runIncidentsBenchmark({ ...options, mix }));
  return results;
}

export async function runIncidentsBenchmark(options: {
  events: number;
  seed: number;
  mix: IncidentsMix;
}): Promise<IncidentsBenchmarkResult> {
  const records = eventsOf(options.mix, options.events, options.seed)
    .flatMap((event) => {
      const result = mapEvent(event);
      return result.kind === 'mapped' ? result.records : [];
    })
    .sort((a, b) => a.eventTime.localeCompare(b.eventTime));
  const server = await startDynamoDbLocal();
  try {
    const tableName = await createAuditTable(server.client);
    const writerClient = localClient(server.endpoint);
    const writerMeter = meterCapacity(writerClient);
    const notifierClient = localClient(server.endpoint);
    const notifierMeter = meterCapacity(notifierClient);
    const unitsByItem = meterUnitsByNotifierItem(notifierClient);
    const writer = createAuditWriter({
      client: writerClient,
      tableName,
      conditionalWrites: 'single',
    });
    const sent: IncidentMessage[] = [];
    const channel: Channel = {
      name: 'recording',
      send: async (message) => {
        sent.push(message);
      },
    };
    const deadLetters: DeadLetters = {
      put: async () => {
        throw new Error('a recording channel never fails: nothing may be dead-lettered');
      },
    };
    // The traffic's own clock: the end of each batch's events, so quiet periods pass as they did.
    let clock = Date.parse(records[0]?.eventTime ?? '2026-11-20T00:00:00Z');
    const notifier = createNotifier({
      client: notifierClient,
      tableName,
      config: DEFAULT_NOTIFY_CONFIG,
      channels: [channel],
      deadLetters,
      now: () => clock,
      retentionDays: 3650,
    });

    let writtenRecords = 0;
    let writerMs = 0;
    let notifierMs = 0;
    for (let start = 0; start < records.length; start += BATCH_RECORDS) {
      const batch = records.slice(start, start + BATCH_RECORDS);
      const writeStart = performance.now();
      const results = await writer.writeRecords(batch);
      writerMs += performance.now() - writeStart;
      const byId = new Map(batch.map((record) => [record.recordId, record]));
      const written = results
        .filter((result) => result.status === 'written')
        .map((result) => byId.get(result.recordId) as AuditRecord);
      writtenRecords += written.length;
      clock = Math.max(clock, ...batch.map((record) => Date.parse(record.eventTime)));
      const observeStart = performance.now();
      await notifier.observe(written.map((record) => ({ record, origin: 'live' as const })));
      await notifier.deliverQueued();
      notifierMs += performance.now() - observeStart;
    }

    const observeRequests = { ...notifierMeter.requests };
    const observeUnits = notifierMeter.totalUnits();
    const observeItemsRead = Object.values(notifierMeter.itemsRead).reduce((a, b) => a + b, 0);
    const readUnitsOfObserve = unitsByItem.reads.units;
    const tickMeterBefore = { ...notifierMeter.requests };
    const itemsReadBefore = observeItemsRead;
    const tickStart = performance.now();
    clock += 5 * 60_000;
    await notifier.tick();
    const tickMs = performance.now() - tickStart;
    const tickRequests = Object.fromEntries(
      Object.entries(notifierMeter.requests)
        .map(([command, count]) => [command, count - (tickMeterBefore[command] ?? 0)] as const)
        .filter(([, count]) => count > 0),
    );
    const tickItemsRead =
      Object.values(notifierMeter.itemsRead).reduce((a, b) => a + b, 0) - itemsReadBefore;

    const incidents = await createIncidentReader({
      client: server.client,
      tableName,
    }).listIncidents({});
    const events = options.events;
    const perEvent = (value: number) => value / events;
    const readUnits = readUnitsOfObserve;
    const failedRunsInMix = new Set(
      records
        .filter((record) => makesRun(record) && record.outcome.status === 'failed')
        .map((record) => runIdOf(record)),
    ).size;
    const writerUnits = writerMeter.totalUnits();
    const countBy = <T>(items: readonly T[], keyOf: (item: T) => string) =>
      items.reduce<Record<string, number>>((counts, item) => {
        const key = keyOf(item);
        counts[key] = (counts[key] ?? 0) + 1;
        return counts;
      }, {});
    writerClient.destroy();
    notifierClient.destroy();
    return {
      benchmark: 'incidents',
      server: 'dynamodb-local',
      mix: options.mix,
      events,
      records: records.length,
      writtenRecords,
      writerWriteUnitsPerEvent: perEvent(writerUnits),
      notifierWriteUnitsPerEvent: perEvent(observeUnits),
      writeUnitsRatio: observeUnits / writerUnits,
      notifierWriteUnitsByItem: Object.fromEntries(
        Object.entries(unitsByItem.writes).map(([item, units]) => [item, perEvent(units)]),
      ),
      notifierRequestsPerEvent: Object.fromEntries(
        Object.entries(observeRequests).map(([command, count]) => [command, perEvent(count)]),
      ),
      notifierReadUnitsPerEvent: perEvent(readUnits),
      notifierMsPerEvent: perEvent(notifierMs),
      writerMsPerEvent: perEvent(writerMs),
      perMillionEvents: {
        writeUnits: perEvent(observeUnits) * 1e6,
        readUnits: perEvent(readUnits) * 1e6,
        lambdaGbSeconds: (perEvent(notifierMs) * 1e6 * NOTIFIER_MEMORY_GB) / 1000,
      },
      told: {
        messages: countBy(sent, (message) => message.kind),
        incidents: countBy(incidents, (incident) =>
          incident.key.category === undefined
            ? incident.key.kind
            : `${incident.key.kind}:${incident.key.category}`,
        ),
        failedRuns: incidents.reduce((total, incident) => total + incident.failedRuns, 0),
      },
      failedRunsInMix,
      messagesPerFailedRun: failedRunsInMix === 0 ? 0 : sent.length / failedRunsInMix,
      tick: { requests: tickRequests, itemsRead: tickItemsRead, milliseconds: tickMs },
      method:
        `${options.mix} mix in time order, audit writer (conditional PutItem) in batches of ${BATCH_RECORDS}, ` +
        'the written records to notifier.observe + deliverQueued (as the stream handler); units by ReturnConsumedCapacity ' +
        'on the notifier’s own client, failed conditions counted as 1 unit each; Lambda time is ' +
        `the measured wall time against DynamoDB Local at ${NOTIFIER_MEMORY_GB * 1024} MB`,
    };
  } finally {
    await server.stop();
  }
}
