/**
 * `ecslog backfill` end to end over a log file holding one record nested 5,000 levels deep among
 * valid ones: that record alone is quarantined (JSON.stringify of it used to overflow the stack
 * and end the run), the others are stored.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { buildCloudTrailLogFiles, ecslog, writeCloudTrailLogFiles } from './testing';

jest.setTimeout(120_000);

describe('ecslog backfill of a record nested too deep (end to end)', () => {
  const home = mkdtempSync(join(tmpdir(), 'ecslog-backfill-deep-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('quarantines that record alone and stores the others', async () => {
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const set = buildCloudTrailLogFiles({
      seed: 3,
      days: [day],
      regions: ['eu-west-1'],
      filesPerDay: 1,
      ecsShare: 1,
      digests: false,
    });
    const file = set.files[0];
    if (!file) throw new Error('no log file built');
    const log = JSON.parse(gunzipSync(file.body).toString('utf8')) as {
      Records: Array<Record<string, unknown>>;
    };
    // Written by hand: JSON.stringify cannot write a value this deep.
    const model = JSON.stringify({
      ...log.Records[0],
      eventID: 'deep-0000-4000-8000-000000000000',
    });
    const deepRecord = model.replace(
      /}$/,
      `,"requestParameters":{"nested":${'['.repeat(5_000)}"core"${']'.repeat(5_000)}}}`,
    );
    const records = [deepRecord, ...log.Records.map((record) => JSON.stringify(record))];
    file.body = gzipSync(`{"Records":[${records.join(',')}]}`);
    const logs = join(home, 'logs');
    await writeCloudTrailLogFiles(logs, set);

    const run = await ecslog(['backfill', '--dir', logs, '--since', '3d', '--json'], {
      ECSLOG_HOME: home,
    });

    expect(run.stderr).not.toMatch(/RangeError|stack size/);
    expect(run.status).toBe(0);
    const held = readFileSync(join(home, 'quarantine.ndjson'), 'utf8').trimEnd().split('\n');
    expect(held).toHaveLength(1);
    expect(JSON.parse(held[0] as string)).toMatchObject({
      source: 'backfill',
      reason: 'is nested deeper than 64 levels',
    });
    const { tally } = JSON.parse(run.stdout) as { tally: { invalid: number; written: number } };
    expect(tally.invalid).toBe(1);
    expect(tally.written).toBeGreaterThan(0);
  });
});
