import { ECS_EVENT_SOURCE } from '@ecslog/ecs-event-mapper';
import { gunzipSync } from 'node:zlib';
import { buildCloudTrailLogFiles } from './cloudtrail-log-files';

const KEY =
  /^(?:logs\/)?AWSLogs\/(?:(o-[a-z0-9]{10,32})\/)?(\d{12})\/CloudTrail\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/\2_CloudTrail_\3_(\d{8})T(\d{4})Z_[A-Za-z0-9]{16}\.json\.gz$/;

describe('buildCloudTrailLogFiles', () => {
  const options = {
    seed: 11,
    prefix: 'logs',
    accounts: ['111122223333'],
    organization: { id: 'o-a1b2c3d4e5', accounts: ['444455556666', '777788889999'] },
    regions: ['eu-west-1', 'ap-southeast-2'],
    days: ['2026-11-20', '2026-11-21'],
    filesPerDay: 4,
    recordsPerFile: 25,
  };
  const set = buildCloudTrailLogFiles(options);

  it('writes files in the trail layout, organization trails included, sorted by key', () => {
    expect(set.files).toHaveLength(3 * 2 * 2 * 4);
    for (const file of set.files) {
      const match = KEY.exec(file.key);
      expect(match).not.toBeNull();
      const [, organization, account, region, year, month, day, date, time] =
        match as unknown as string[];
      expect([organization, account, region]).toEqual([
        file.organization,
        file.account,
        file.region,
      ]);
      expect(`${year}${month}${day}`).toBe(date);
      expect(file.deliveredAt.toISOString()).toBe(
        `${year}-${month}-${day}T${time?.slice(0, 2)}:${time?.slice(2)}:00.000Z`,
      );
    }
    expect(set.files.map((f) => f.key)).toEqual(set.files.map((f) => f.key).sort());
    expect(new Set(set.files.map((f) => f.organization))).toEqual(
      new Set([undefined, 'o-a1b2c3d4e5']),
    );
  });

  it('fills each file with records of its account and region, distinct eventIDs, times before delivery', () => {
    const allIds = set.files.flatMap((f) => f.eventIds);
    expect(new Set(allIds).size).toBe(allIds.length);
    let ecs = 0;
    for (const file of set.files) {
      const { Records } = JSON.parse(gunzipSync(file.body).toString()) as {
        Records: {
          eventID: string;
          eventTime: string;
          eventSource: string;
          awsRegion: string;
          recipientAccountId: string;
        }[];
      };
      expect(Records.map((r) => r.eventID)).toEqual(file.eventIds);
      for (const record of Records) {
        expect([record.awsRegion, record.recipientAccountId]).toEqual([file.region, file.account]);
        const lag = file.deliveredAt.getTime() - Date.parse(record.eventTime);
        expect(lag).toBeGreaterThan(0);
        expect(lag).toBeLessThanOrEqual(15 * 60_000);
        if (record.eventSource === ECS_EVENT_SOURCE) ecs++;
      }
    }
    // ECS records mixed with other services', about 30% ECS.
    expect(ecs / allIds.length).toBeGreaterThan(0.2);
    expect(ecs / allIds.length).toBeLessThan(0.4);
  });

  it('adds one digest per account, region and day under CloudTrail-Digest/, without Records', () => {
    expect(set.digests).toHaveLength(3 * 2 * 2);
    for (const digest of set.digests) {
      expect(digest.key).toMatch(
        /\/CloudTrail-Digest\/[a-z0-9-]+\/\d{4}\/\d{2}\/\d{2}\/\d{12}_CloudTrail-Digest_/,
      );
      expect(JSON.parse(gunzipSync(digest.body).toString())).not.toHaveProperty('Records');
    }
  });

  it('is deterministic for a seed', () => {
    const again = buildCloudTrailLogFiles(options);
    const other = buildCloudTrailLogFiles({ ...options, seed: 12 });

    expect(again.files.map((f) => [f.key, f.eventIds])).toEqual(
      set.files.map((f) => [f.key, f.eventIds]),
    );
    expect(other.files.map((f) => f.key)).not.toEqual(set.files.map((f) => f.key));
  });
});
