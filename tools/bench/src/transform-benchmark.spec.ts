import { loadFixture } from '@ecslog/ecs-event-mapper/testing';
import { firehoseInvocationOf } from './transform-benchmark';

describe('firehoseInvocationOf', () => {
  it('fills the request with base64 events up to the size limit, and no further', () => {
    const event = loadFixture('eventbridge/task-stopped-oom.json');
    const events = Array.from({ length: 100 }, (_, i) => ({ ...event, id: `event-${i}` }));

    const invocation = firehoseInvocationOf(events, 50_000);

    const bytes = Buffer.byteLength(JSON.stringify(invocation));
    expect(bytes).toBeLessThanOrEqual(50_000);
    const next = JSON.stringify({
      ...invocation.records[0],
      data: Buffer.from(JSON.stringify(events[invocation.records.length])).toString('base64'),
    });
    expect(bytes + next.length + 1).toBeGreaterThan(50_000);
    invocation.records.forEach((record, i) =>
      expect(JSON.parse(Buffer.from(record.data, 'base64').toString('utf8'))).toEqual(events[i]),
    );
    expect(new Set(invocation.records.map((r) => r.recordId)).size).toBe(invocation.records.length);
  });
});
