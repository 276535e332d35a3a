/**
 * How fast the log-file sources read: records/s of the folder source over realistic gzip
 * CloudTrail files, against the floor any reader pays for the same files (gunzip + JSON.parse,
 * the files already in memory). Target: the source at ≥ 50% of the floor. Also read + mapEvent,
 * what a backfill does with every record before writing.
 *
 * Run: `npx tsx --conditions=@ecslog/source apps/backfill/src/bench/log-files-benchmark.ts [files] [recordsPerFile] [seed]`
 */
import { mapEvent } from '@ecslog/ecs-event-mapper';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createDirSource } from '../sources/dir-source';
import { buildCloudTrailLogFiles, writeCloudTrailLogFiles } from '../testing';

export interface LogFilesBenchmarkOptions {
  files: number;
  recordsPerFile: number;
  seed: number;
  /** Timed rounds; the median is reported (default 5). */
  rounds?: number;
  /** Untimed rounds first (default 1). */
  warmupRounds?: number;
  /** Files the folder source reads ahead (default: its own default). */
  concurrency?: number;
}

export interface LogFilesBenchmarkResult {
  benchmark: 'backfill-log-files';
  seed: number;
  files: number;
  records: number;
  compressedBytes: number;
  uncompressedBytes: number;
  rounds: number;
  /** gunzip + JSON.parse of every file, already in memory. */
  floorRecordsPerSecond: number;
  /** The folder source: listing done, every chunk read from disk (streams, gunzip, parse, SourceRecords). */
  sourceRecordsPerSecond: number;
  /** sourceRecordsPerSecond / floorRecordsPerSecond. */
  fractionOfFloor: number;
  /** The same, and mapEvent on every record. */
  sourceAndMapRecordsPerSecond: number;
  mapFractionOfFloor: number;
  /** Median milliseconds per round: floor, read, read + map. */
  medianMs: { floor: number; read: number; readAndMap: number };
  target: number;
}

const TARGET_FRACTION = 0.5;

/**
 * Writes a folder of `files` gzip log files of `recordsPerFile` records each, then times the
 * floor, the source and the source + mapper in interleaved rounds (so drift in machine load hits
 * all three alike), after warm-up rounds, and reports medians.
 *
 * @example
 * const result = await runLogFilesBenchmark({ files: 200, recordsPerFile: 250, seed: 42 });
 */
export async function runLogFilesBenchmark(
  options: LogFilesBenchmarkOptions,
): Promise<LogFilesBenchmarkResult> {
  const rounds = options.rounds ?? 5;
  const warmupRounds = options.warmupRounds ?? 1;
  const folder = await mkdtemp(join(tmpdir(), 'log-files-benchmark-'));
  try {
    const set = buildCloudTrailLogFiles({
      seed: options.seed,
      accounts: ['111122223333'],
      regions: ['eu-west-1'],
      days: ['2026-11-20'],
      filesPerDay: options.files,
      recordsPerFile: options.recordsPerFile,
      digests: false,
    });
    await writeCloudTrailLogFiles(folder, set);
    const bodies = await Promise.all(
      set.files.map((file) => readFile(join(folder, ...file.key.split('/')))),
    );
    const records = set.files.reduce((sum, file) => sum + file.eventIds.length, 0);
    const compressedBytes = bodies.reduce((sum, body) => sum + body.length, 0);
    const uncompressedBytes = bodies.reduce((sum, body) => sum + gunzipSync(body).length, 0);

    const source = createDirSource({
      path: folder,
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    });
    await source.check();

    const floor = async () => {
      let count = 0;
      for (const body of bodies)
        count += (JSON.parse(gunzipSync(body).toString('utf8')) as { Records: unknown[] }).Records
          .length;
      return count;
    };
    const read = async () => {
      let count = 0;
      for await (const chunk of source.chunks(undefined)) count += chunk.records.length;
      return count;
    };
    const readAndMap = async () => {
      let count = 0;
      for await (const chunk of source.chunks(undefined))
        for (const record of chunk.records) if (mapEvent(record.value).kind !== 'invalid') count++;
      return count;
    };

    const contenders = [floor, read, readAndMap];
    const times = contenders.map(() => [] as number[]);
    for (let round = 0; round < warmupRounds + rounds; round++)
      for (const [index, contender] of contenders.entries()) {
        const start = performance.now();
        const counted = await contender();
        const elapsed = performance.now() - start;
        if (index < 2 && counted !== records)
          throw new Error(`${contender.name} counted ${counted} records of ${records}`);
        if (round >= warmupRounds) times[index]?.push(elapsed);
      }
    const [floorMs, readMs, mapMs] = times.map(median) as [number, number, number];
    const perSecond = (ms: number) => Math.round(records / (ms / 1000));
    return {
      benchmark: 'backfill-log-files',
      seed: options.seed,
      files: set.files.length,
      records,
      compressedBytes,
      uncompressedBytes,
      rounds,
      floorRecordsPerSecond: perSecond(floorMs),
      sourceRecordsPerSecond: perSecond(readMs),
      fractionOfFloor: round3(floorMs / readMs),
      sourceAndMapRecordsPerSecond: perSecond(mapMs),
      mapFractionOfFloor: round3(floorMs / mapMs),
      medianMs: { floor: round3(floorMs), read: round3(readMs), readAndMap: round3(mapMs) },
      target: TARGET_FRACTION,
    };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

if (require.main === module) {
  const [files = 200, recordsPerFile = 250, seed = 42] = process.argv.slice(2).map(Number);
  runLogFilesBenchmark({ files, recordsPerFile, seed }).then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
