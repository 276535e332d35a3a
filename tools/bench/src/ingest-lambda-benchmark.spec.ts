import { kinesisBatches } from './ingest-lambda-benchmark';

describe('kinesisBatches (the ingest Lambda benchmark workload)', () => {
  it('cuts the simulated day into Kinesis ESM batches of the asked size, events intact', () => {
    const batches = kinesisBatches(3, 500, 7);

    expect(batches.map((batch) => batch.Records.length)).toEqual([500, 500, 500]);
    const records = batches.flatMap((batch) => batch.Records);
    const sequenceNumbers = records.map((r) => r.kinesis.sequenceNumber);
    expect(new Set(sequenceNumbers).size).toBe(1500);
    expect(sequenceNumbers.every((n) => /^\d{56}$/.test(n))).toBe(true);
    const first = JSON.parse(
      Buffer.from(records[0]?.kinesis.data ?? '', 'base64').toString('utf8'),
    ) as Record<string, unknown>;
    expect(first).toMatchObject({ source: 'aws.ecs', id: records[0]?.kinesis.partitionKey });
  });
});
