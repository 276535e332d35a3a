/**
 * Exactly once, as a property against real servers: a failure burst of a service (and of a
 * family) with its recovery — every record delivered one to three times, in any order, split
 * between two notifiers that observe and deliver concurrently on the same table, with history
 * of another service replayed by the backfill and a redrive — ends, after a tick past the quiet
 * period, with exactly one `opened` and one `resolved` message per incident at a real webhook
 * receiver, opened first, no message twice, and nothing about the replayed service; the model
 * says which incidents there are and how many distinct runs each counted.
 *
 * Shared by `exactly-once.dynamodb-local.int.spec.ts` and `exactly-once.dynalite.int.spec.ts`.
 */
import fc from 'fast-check';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import type { LocalDynamoDb, LocalDynamoDbKind } from '@ecslog/audit-store/testing';
import { createAuditTable, startLocalDynamoDb } from '@ecslog/audit-store/testing';
import type { IncidentKey } from '@ecslog/incidents';
import { DEFAULT_NOTIFY_CONFIG, incidentIdOf } from '@ecslog/incidents';
import { createWebhookChannel } from './channels/webhook-channels';
import { createFileDeadLetters } from './delivery/dead-letters';
import { createIncidentReader } from './incident-reader';
import { createNotifier } from './notifier';
import type { ObservedRecord, RecordOrigin } from './notifier-api';
import type { WebhookReceiver } from './testing';
import {
  BATCH_CLUSTER,
  EXIT_OUTCOME,
  FAMILY_EXIT_OUTCOME,
  familyRun,
  OOM_OUTCOME,
  PROD_WEB_CLUSTER,
  serviceStop,
  startWebhookReceiver,
  steadyState,
  SUCCEEDED_OUTCOME,
  taskIdOf,
} from './testing';

const SEED = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);
/**
 * Runs per server: each run is a fresh table and some 50–300 requests; DynamoDB Local answers
 * each several times slower than dynalite (a spec file stays under 40 s on a loaded machine).
 */
const NUM_RUNS: Record<LocalDynamoDbKind, number> = { 'dynamodb-local': 15, dynalite: 25 };
const BURST_START = Date.parse('2026-11-20T05:00:00.000Z');
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

interface Burst {
  /** Per failed stop of service:web, its category: true for OOM, false for an exit. */
  serviceStops: boolean[];
  familyFailures: number;
  replayed: number;
}

const burstArb: fc.Arbitrary<Burst> = fc.record({
  serviceStops: fc.array(fc.boolean(), { minLength: 0, maxLength: 7 }),
  familyFailures: fc.integer({ min: 0, max: 3 }),
  replayed: fc.integer({ min: 0, max: 2 }),
});

/** The burst's records: failures one minute apart, each workload's recovery after them. */
function recordsOf(burst: Burst): { live: AuditRecord[]; replayed: AuditRecord[] } {
  const live: AuditRecord[] = [];
  burst.serviceStops.forEach((oom, i) =>
    live.push(
      serviceStop({
        service: 'web',
        taskId: taskIdOf(0x100 + i),
        at: iso(BURST_START + i * MINUTE),
        outcome: oom ? OOM_OUTCOME : EXIT_OUTCOME,
      }),
    ),
  );
  if (burst.serviceStops.length > 0)
    live.push(steadyState('web', iso(BURST_START + (burst.serviceStops.length + 3) * MINUTE)));
  for (let i = 0; i < burst.familyFailures; i += 1)
    live.push(
      familyRun({
        family: 'nightly-report',
        taskId: taskIdOf(0x200 + i),
        at: iso(BURST_START + i * 2 * MINUTE),
        outcome: FAMILY_EXIT_OUTCOME,
      }),
    );
  if (burst.familyFailures > 0)
    live.push(
      familyRun({
        family: 'nightly-report',
        taskId: taskIdOf(0x2ff),
        at: iso(BURST_START + 30 * MINUTE),
        outcome: SUCCEEDED_OUTCOME,
      }),
    );
  const replayed = Array.from({ length: burst.replayed }, (_, i) =>
    serviceStop({
      service: 'billing',
      taskId: taskIdOf(0x300 + i),
      at: iso(BURST_START + i * MINUTE),
    }),
  );
  return { live, replayed };
}

/**
 * The incidents the burst makes, with the distinct failed runs each counts: exactly for failure
 * incidents, as a range for the crash loop (its watch keeps the latest stops: how many stops
 * count into the crash-loop incident depends on the order they arrive in).
 */
function modelOf(burst: Burst): Map<string, [number, number]> {
  const incidents = new Map<string, [number, number]>();
  const web = { clusterArn: PROD_WEB_CLUSTER, clusterName: 'prod-web', group: 'service:web' };
  const oom = burst.serviceStops.filter((s) => s).length;
  const exits = burst.serviceStops.length - oom;
  const key = (k: IncidentKey) => incidentIdOf(k);
  if (oom > 0)
    incidents.set(key({ ...web, kind: 'failure', category: 'out-of-memory' }), [oom, oom]);
  if (exits > 0)
    incidents.set(key({ ...web, kind: 'failure', category: 'essential-container-exited' }), [
      exits,
      exits,
    ]);
  // Stops one minute apart: any five are within the crash-loop window of ten minutes. The loop
  // opens with the five stops that made it; a later stop counts, one older than the five latest
  // seen does not.
  if (burst.serviceStops.length >= 5)
    incidents.set(key({ ...web, kind: 'crash-loop' }), [5, burst.serviceStops.length]);
  if (burst.familyFailures > 0)
    incidents.set(
      key({
        clusterArn: BATCH_CLUSTER,
        clusterName: 'batch',
        group: 'family:nightly-report',
        kind: 'failure',
        category: 'essential-container-exited',
      }),
      [burst.familyFailures, burst.familyFailures],
    );
  return incidents;
}

/**
 * Deliveries: each record 1–3 times (replayed ones as backfill or redrive), shuffled, split
 * between two notifiers, in batches. Deliveries are indexes into the burst's records, so that a
 * counterexample stays readable.
 */
const caseArb = burstArb.chain((burst) => {
  const { live, replayed } = recordsOf(burst);
  const copies = (from: number, count: number, origins: fc.Arbitrary<RecordOrigin>) =>
    fc.tuple(
      ...Array.from({ length: count }, (_, i) =>
        fc
          .array(origins, { minLength: 1, maxLength: 3 })
          .map((os) => os.map((origin) => ({ record: from + i, origin }))),
      ),
    );
  return fc
    .tuple(
      copies(0, live.length, fc.constant('live')),
      copies(live.length, replayed.length, fc.constantFrom<RecordOrigin>('backfill', 'redrive')),
    )
    .chain(([a, b]) => {
      const all = [...a.flat(), ...b.flat()];
      return fc.record({
        burst: fc.constant(burst),
        order: fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }),
        sides: fc.array(fc.boolean(), { minLength: all.length, maxLength: all.length }),
        batchSizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 2 }),
      });
    });
});

function batchesOf<T>(items: T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

/** The messageId's parts: `<incident id>#<episode>#<kind>#<n>`. */
function partsOf(messageId: string): { incidentId: string; kind: string } {
  const parts = messageId.split('#');
  return { incidentId: parts.slice(0, -3).join('#'), kind: String(parts.at(-2)) };
}

/** Declares the property's test on one kind of server (one spec file each, to stay short). */
export function describeExactlyOnce(kind: LocalDynamoDbKind): void {
  describe(`exactly once on ${kind}`, () => {
    let server: LocalDynamoDb;
    let receiver: WebhookReceiver;

    beforeAll(async () => {
      [server, receiver] = await Promise.all([startLocalDynamoDb(kind), startWebhookReceiver()]);
    }, 60_000);
    afterAll(async () => {
      await Promise.all([server?.stop(), receiver?.stop()]);
    });

    it('one opened and one resolved message per incident, whatever the delivery', async () => {
      console.log(`notifier exactly-once on ${kind}: seed ${SEED} (replay with FC_SEED=${SEED})`);
      await fc.assert(
        fc.asyncProperty(caseArb, async ({ burst, order, sides, batchSizes }) => {
          const tableName = await createAuditTable(server.client);
          const path = `/hooks/${tableName}`;
          const url = new URL(path, receiver.url).href;
          let clock = BURST_START + 40 * MINUTE;
          const notifierOf = () =>
            createNotifier({
              client: server.client,
              tableName,
              config: DEFAULT_NOTIFY_CONFIG,
              channels: [createWebhookChannel({ url })],
              deadLetters: createFileDeadLetters(`/dev/null`),
              now: () => clock,
              openRunsByGroup: async () => new Map(),
            });
          const notifiers = [notifierOf(), notifierOf()];
          const { live, replayed } = recordsOf(burst);
          const records = [...live, ...replayed];
          const deliveries = order.map(({ record, origin }): ObservedRecord => ({
            record: records[record] as AuditRecord,
            origin,
          }));
          const streams = [0, 1].map((side) =>
            batchesOf(
              deliveries.filter((_, i) => (sides[i] ? 1 : 0) === side),
              batchSizes[side] ?? 1,
            ),
          );

          const reports: { opened?: number; resolved?: number }[] = [];
          await Promise.all(
            notifiers.map(async (notifier, side) => {
              for (const batch of streams[side] ?? []) {
                reports.push(await notifier.observe(batch));
                // As the stream handler does: what this batch queued (the tick sends the rest).
                await notifier.deliverQueued();
              }
            }),
          );
          clock = BURST_START + (40 + DEFAULT_NOTIFY_CONFIG.quietPeriodMinutes + 1) * MINUTE;
          reports.push(...(await Promise.all(notifiers.map((notifier) => notifier.tick()))));
          await Promise.all(notifiers.map((notifier) => notifier.deliverPending()));

          const model = modelOf(burst);
          const delivered = receiver
            .delivered()
            .filter((r) => r.path === path)
            .map((r) => String(r.headers['idempotency-key']));
          // No message twice.
          expect(new Set(delivered).size).toBe(delivered.length);
          // Exactly one opened and one resolved per incident, opened first.
          const expected = [...model.keys()].flatMap((id) => [`${id} opened`, `${id} resolved`]);
          const told = delivered.map((id) => partsOf(id)).map((p) => `${p.incidentId} ${p.kind}`);
          expect([...told].sort()).toEqual(expected.sort());
          for (const id of model.keys())
            expect(told.indexOf(`${id} opened`)).toBeLessThan(told.indexOf(`${id} resolved`));
          // Stored: every incident resolved, its distinct runs counted once.
          const incidents = await createIncidentReader({
            client: server.client,
            tableName,
            now: () => clock,
          }).listIncidents({});
          expect(incidents.map((incident) => incident.id).sort()).toEqual([...model.keys()].sort());
          for (const incident of incidents) {
            const [min, max] = model.get(incident.id) ?? [0, 0];
            expect(incident.failedRuns).toBeGreaterThanOrEqual(min);
            expect(incident.failedRuns).toBeLessThanOrEqual(max);
          }
          expect(incidents.every((incident) => incident.status === 'resolved')).toBe(true);
          // The notifiers' reports count each opening and each resolution once, between them.
          const total = (field: 'opened' | 'resolved') =>
            reports.reduce((sum, report) => sum + (report[field] ?? 0), 0);
          expect([total('opened'), total('resolved')]).toEqual([model.size, model.size]);
          expect(incidents.every((incident) => incident.episode === 1)).toBe(true);
        }),
        {
          numRuns: Number(process.env['NOTIFIER_PROPERTY_RUNS'] ?? NUM_RUNS[kind]),
          seed: SEED,
        },
      );
    }, 180_000);
  });
}
