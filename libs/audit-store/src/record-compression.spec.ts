import { deflateRawSync } from 'node:zlib';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import { mapEvent } from '@ecslog/ecs-event-mapper';
import { sampleLiveTraffic } from '@ecslog/ecs-event-mapper/testing';
import { compressRecord, decompressRecord } from './record-compression';

/** Realistic records: the benchmark's traffic, a smaller sample. */
const RECORDS: AuditRecord[] = sampleLiveTraffic({ events: 1_500, seed: 7 }).flatMap((event) => {
  const result = mapEvent(JSON.parse(JSON.stringify(event)));
  return result.kind === 'mapped' ? result.records : [];
});

/** A STOPPED task record stored in format 1 by the first compressor (zlib's default level 6, 32 KB window). */
const FORMAT_1_RECORD = {
  schemaVersion: 1,
  recordId: 'task:arn:aws:ecs:us-east-1:123456789012:task/prod/0a1b2c3d4e5f:v3',
  recordType: 'task',
  source: 'eventbridge',
  eventTime: '2026-03-02T10:15:00.000Z',
  account: '123456789012',
  region: 'us-east-1',
  clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
  clusterName: 'prod',
  resourceArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/0a1b2c3d4e5f',
  taskId: '0a1b2c3d4e5f',
  lastStatus: 'STOPPED',
  desiredStatus: 'STOPPED',
  version: 3,
  stopCode: 'EssentialContainerExited',
  stoppedReason: 'Essential container in task exited',
  outcome: {
    status: 'failed',
    category: 'essential-container-exited',
    summary: 'container web exited with code 1',
  },
};
const FORMAT_1_STORED =
  'ASM1XSLiwdDI2MTUzNzC0sDQCBKlBUX5KfoGiYZJRsnGKSappmlWZcaUpmNjXQOjEEMDK0NTrOkY2REUpGkUv8DSN8g7GGkcKkhMOicigJAzAZo4SloIDvEPCHB1wZIWEDLwtGA8KOpN3K1cHDVqeWoS9koVAA==';

describe('record compression', () => {
  it('gives back every realistic record it stored', () => {
    expect(RECORDS.length).toBeGreaterThan(1_000);
    for (const record of RECORDS) expect(decompressRecord(compressRecord(record))).toEqual(record);
  });

  it('reads format-1 items written by the first compressor unchanged', () => {
    const stored = Buffer.from(FORMAT_1_STORED, 'base64');
    expect(stored[0]).toBe(1);
    expect(decompressRecord(stored)).toEqual(FORMAT_1_RECORD);
    // The same record stored now is format 1 too, and both decode alike.
    const now = compressRecord(FORMAT_1_RECORD as AuditRecord);
    expect(now[0]).toBe(1);
    expect(decompressRecord(now)).toEqual(decompressRecord(stored));
  });

  it('reads a record inside a larger buffer (as the SDK returns binary attributes)', () => {
    const stored = compressRecord(RECORDS[0] as AuditRecord);
    const larger = new Uint8Array(stored.length + 10);
    larger.set(stored, 5);
    expect(decompressRecord(larger.subarray(5, 5 + stored.length))).toEqual(RECORDS[0]);
  });

  it('keeps the dictionary in reach: realistic records shrink to a quarter of their JSON', () => {
    let json = 0;
    let stored = 0;
    let plain = 0;
    for (const record of RECORDS) {
      json += Buffer.byteLength(JSON.stringify(record));
      stored += compressRecord(record).length;
      plain += deflateRawSync(JSON.stringify(record)).length;
    }
    // Plain deflate gets ≈45% of the JSON; the dictionary takes a third off that, though image
    // digests (32 bytes of entropy per container) compress with neither.
    expect(stored / json).toBeLessThan(0.3);
    expect(stored).toBeLessThan(plain * 0.7);
  });

  it('refuses an unknown format byte', () => {
    const stored = compressRecord(RECORDS[0] as AuditRecord);
    stored[0] = 2;
    expect(() => decompressRecord(stored)).toThrow('unknown format byte 2');
  });
});
