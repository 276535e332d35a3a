import { loadFixture, otherEcsEventArb } from '@ecslog/ecs-event-mapper/testing';
import fc from 'fast-check';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { createEventBridgeHandler } from './eventbridge-ingest';
import { dimensionValue } from './ingest-dependencies';
import { createKinesisHandler } from './kinesis-ingest';
import type { Quarantine, QuarantineEntry } from './quarantine';
import {
  TEST_NOW,
  createMemoryWriter,
  createRecordingLogger,
  createRecordingMetrics,
  loadKinesisBatch,
} from './testing';

/** An ECS event of a detail-type ecslog does not model. */
const unmodelled = (id: string, detailType: string) => ({
  version: '0',
  id,
  'detail-type': detailType,
  source: 'aws.ecs',
  account: '444455556666',
  time: '2026-11-20T17:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:ecs:us-east-1:444455556666:capacity-provider/gpu-managed'],
  detail: { eventName: 'SOMETHING', nested: [1, 2, 3] },
});

function setUp() {
  const held: QuarantineEntry[] = [];
  const quarantine: Quarantine = {
    async hold(entry) {
      held.push(entry);
    },
  };
  const writer = createMemoryWriter();
  const metrics = createRecordingMetrics();
  const deps = {
    writer,
    quarantine,
    logger: createRecordingLogger(),
    metrics,
    clock: () => TEST_NOW,
  };
  return { held, writer, metrics, deps };
}

describe('generic ECS events in the ingest metrics', () => {
  it('EventBridge: writes a generic record and counts it by its detail-type', async () => {
    const { writer, metrics, held, deps } = setUp();
    const handler = createEventBridgeHandler(deps);

    await handler(unmodelled('e-1', 'ECS Capacity Provider State Change'));
    await handler(loadFixture('eventbridge/task-stopped-oom.json'));
    await handler(loadFixture('eventbridge/container-instance-health-gpu-impaired.json'));

    expect(writer.calls.map((records) => records.map((r) => r.recordType))).toEqual([
      ['ecs-event'],
      ['task'],
      ['container-instance'],
    ]);
    expect(held).toEqual([]);
    // Only the generic record: the task and the modelled health change are plainly mapped.
    expect(metrics.singles).toEqual([
      {
        name: 'genericEvents',
        value: 1,
        dimensions: { DetailType: 'ECS Capacity Provider State Change' },
      },
    ]);
    expect(metrics.published.map((tally) => tally.mapped)).toEqual([1, 1, 1]);
  });

  it('Kinesis: counts a batch’s generic records per detail-type, one metric each', async () => {
    const { metrics, deps } = setUp();
    const template = loadKinesisBatch().Records[0] as KinesisStreamRecord;
    const events = [
      unmodelled('k-1', 'ECS Something New'),
      unmodelled('k-2', 'ECS Something New'),
      unmodelled('k-3', 'ECS Other Thing'),
      loadFixture('eventbridge/task-stopped-oom.json'),
    ];
    const batch: KinesisStreamEvent = {
      Records: events.map((event, i) => ({
        ...template,
        eventID: `shardId-000000000000:${i}`,
        kinesis: {
          ...template.kinesis,
          sequenceNumber: `4965${String(i).padStart(20, '0')}`,
          data: Buffer.from(JSON.stringify(event)).toString('base64'),
        },
      })),
    };

    const response = await createKinesisHandler(deps)(batch);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(metrics.singles).toEqual([
      { name: 'genericEvents', value: 2, dimensions: { DetailType: 'ECS Something New' } },
      { name: 'genericEvents', value: 1, dimensions: { DetailType: 'ECS Other Thing' } },
    ]);
    expect(metrics.published[0]).toMatchObject({ mapped: 4, written: 4, ignored: 0, invalid: 0 });
  });

  it('sends nothing by detail-type when the metrics have no single metrics', async () => {
    const { deps } = setUp();
    const { singleMetric: _, ...plain } = deps.metrics;
    const handler = createEventBridgeHandler({ ...deps, metrics: plain });

    await expect(handler(unmodelled('e-2', 'ECS Something New'))).resolves.toBeUndefined();
  });

  it('never ignores an aws.ecs event: one record written, or the event quarantined whole (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        otherEcsEventArb,
        fc.constantFrom('time', 'id', 'region', undefined),
        async ({ event }, dropped) => {
          const { writer, metrics, held, deps } = setUp();
          const input: Record<string, unknown> = { ...event };
          if (dropped !== undefined) delete input[dropped];

          await createEventBridgeHandler(deps)(input);

          const [tally] = metrics.published;
          expect(tally?.ignored).toBe(0);
          if (dropped === undefined) {
            expect(writer.calls.flat()).toHaveLength(1);
            expect(held).toEqual([]);
          } else {
            expect(writer.calls).toEqual([]);
            expect(held).toHaveLength(1);
            expect(held[0]?.payload).toBe(input);
            expect(held[0]?.reason).toBe(`${dropped}: is required`);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('makes any detail-type a CloudWatch dimension value', () => {
    expect(dimensionValue('ECS Something New')).toBe('ECS Something New');
    expect(dimensionValue('ECS Ünïcode\nThing')).toBe('ECS ?n?code?Thing');
    expect(dimensionValue('   ')).toBe('(blank)');
    expect(dimensionValue('x'.repeat(300))).toHaveLength(255);
  });
});
