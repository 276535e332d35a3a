import fc from 'fast-check';
import type { Activity } from '@ecslog/audit-store';
import { isCluster, partitionsOf } from './query-scope';

const BATCH = 'arn:aws:ecs:eu-west-1:111122223333:cluster/batch';
const PROD_WEB = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-web';
/** Another account's cluster that happens to share the name `batch`. */
const US_BATCH = 'arn:aws:ecs:us-east-1:444455556666:cluster/batch';

/** What the store saw in a range: clusters and their service / family groups. */
const ACTIVITY: Activity[] = [
  { clusterArn: PROD_WEB, group: 'service:web' },
  { clusterArn: BATCH, group: 'family:nightly-report' },
  { clusterArn: PROD_WEB, group: 'service:queue-worker' },
  { clusterArn: US_BATCH, group: 'service:ingest' },
  { clusterArn: BATCH, group: '' },
  { clusterArn: US_BATCH, group: 'family:nightly-report' },
];

describe('isCluster', () => {
  it('matches a cluster by its ARN or by its name', () => {
    expect(isCluster(PROD_WEB, PROD_WEB)).toBe(true);
    expect(isCluster(PROD_WEB, 'prod-web')).toBe(true);
  });

  it('does not match a name that only ends the same way, or another cluster', () => {
    expect(isCluster(PROD_WEB, 'web')).toBe(false);
    expect(isCluster(PROD_WEB, 'prod')).toBe(false);
    expect(isCluster(PROD_WEB, 'batch')).toBe(false);
    expect(isCluster(PROD_WEB, '')).toBe(false);
  });

  it('matches a name in every account and region, but an ARN only in its own', () => {
    expect(isCluster(US_BATCH, 'batch')).toBe(true);
    expect(isCluster(BATCH, 'batch')).toBe(true);
    expect(isCluster(US_BATCH, BATCH)).toBe(false);
  });
});

describe('partitionsOf', () => {
  it('reads whole clusters, each once, when no service or family is asked for', () => {
    expect(partitionsOf(ACTIVITY, {})).toEqual({
      index: 'byCluster',
      clusterArns: [PROD_WEB, BATCH, US_BATCH],
    });
  });

  it('reads only the clusters named, by name or ARN', () => {
    expect(partitionsOf(ACTIVITY, { cluster: 'batch' })).toEqual({
      index: 'byCluster',
      clusterArns: [BATCH, US_BATCH],
    });
    expect(partitionsOf(ACTIVITY, { cluster: US_BATCH })).toEqual({
      index: 'byCluster',
      clusterArns: [US_BATCH],
    });
  });

  it("reads a group's partitions in every cluster, or in the cluster asked for", () => {
    expect(partitionsOf(ACTIVITY, { group: 'family:nightly-report' })).toEqual({
      index: 'byGroup',
      groups: [
        { clusterArn: BATCH, group: 'family:nightly-report' },
        { clusterArn: US_BATCH, group: 'family:nightly-report' },
      ],
    });
    expect(partitionsOf(ACTIVITY, { group: 'family:nightly-report', cluster: US_BATCH })).toEqual({
      index: 'byGroup',
      groups: [{ clusterArn: US_BATCH, group: 'family:nightly-report' }],
    });
  });

  it('reads nothing when the cluster or group asked for had no activity', () => {
    expect(partitionsOf(ACTIVITY, { cluster: 'staging' })).toEqual({
      index: 'byCluster',
      clusterArns: [],
    });
    expect(partitionsOf(ACTIVITY, { group: 'service:web', cluster: 'batch' })).toEqual({
      index: 'byGroup',
      groups: [],
    });
    expect(partitionsOf([], {})).toEqual({ index: 'byCluster', clusterArns: [] });
  });

  it('never reads a cluster twice, and reads every cluster that had activity', () => {
    const activity = fc.array(
      fc.record({
        clusterArn: fc.constantFrom(BATCH, PROD_WEB, US_BATCH),
        group: fc.constantFrom('', 'service:web', 'service:ingest', 'family:nightly-report'),
      }),
    );

    fc.assert(
      fc.property(activity, (seen) => {
        const partitions = partitionsOf(seen, {});

        if (partitions.index !== 'byCluster') throw new Error('expected whole clusters');
        expect(new Set(partitions.clusterArns).size).toBe(partitions.clusterArns.length);
        expect(new Set(partitions.clusterArns)).toEqual(new Set(seen.map((a) => a.clusterArn)));
      }),
    );
  });

  it('reads, for a group, only partitions that had activity, of that group and cluster', () => {
    const activity = fc.array(
      fc.record({
        clusterArn: fc.constantFrom(BATCH, PROD_WEB, US_BATCH),
        group: fc.constantFrom('', 'service:web', 'family:nightly-report'),
      }),
    );
    const scope = fc.record({
      group: fc.constantFrom('service:web', 'family:nightly-report'),
      cluster: fc.constantFrom('batch', 'prod-web', BATCH, US_BATCH),
    });

    fc.assert(
      fc.property(activity, scope, (seen, { group, cluster }) => {
        const partitions = partitionsOf(seen, { group, cluster });

        if (partitions.index !== 'byGroup') throw new Error('expected group partitions');
        for (const partition of partitions.groups) {
          expect(seen).toContain(partition);
          expect(partition.group).toBe(group);
          expect(isCluster(partition.clusterArn, cluster)).toBe(true);
        }
        const wanted = seen.filter((a) => a.group === group && isCluster(a.clusterArn, cluster));
        expect(partitions.groups).toHaveLength(wanted.length);
      }),
    );
  });
});
