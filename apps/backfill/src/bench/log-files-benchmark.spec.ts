import { runLogFilesBenchmark } from './log-files-benchmark';

describe('runLogFilesBenchmark', () => {
  it('counts every record of every file and reports rates as medians of the rounds', async () => {
    const result = await runLogFilesBenchmark({
      files: 3,
      recordsPerFile: 10,
      seed: 1,
      rounds: 3,
      warmupRounds: 0,
    });

    expect(result).toMatchObject({
      benchmark: 'backfill-log-files',
      files: 3,
      records: 30,
      rounds: 3,
    });
    expect(result.uncompressedBytes).toBeGreaterThan(result.compressedBytes);
    for (const rate of [
      result.floorRecordsPerSecond,
      result.sourceRecordsPerSecond,
      result.sourceAndMapRecordsPerSecond,
    ])
      expect(rate).toBeGreaterThan(0);
    expect(result.fractionOfFloor).toBeCloseTo(result.medianMs.floor / result.medianMs.read, 2);
  });
});
