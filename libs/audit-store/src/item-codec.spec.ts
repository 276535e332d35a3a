import fc from 'fast-check';
import type { AuditRecord } from '@ecslog/ecs-event-mapper';
import {
  ecsInputArb,
  fixtureRecords,
  mappedRecords,
  TASK_LIFECYCLE_FIXTURES,
} from '@ecslog/ecs-event-mapper/testing';
import { runRankOf, taskRunOf, toTaskRuns } from '@ecslog/task-runs';
import {
  carryBoundariesOf,
  decodeRecord,
  expiryAt,
  expiryOf,
  groupOf,
  historySortKey,
  isExpired,
  itemSizeBytes,
  lookupKeysOf,
  primaryKeyOf,
  runOfItem,
  shardOf,
  SHARDS,
  storedItemsOf,
  toHistoryItem,
  toLatestItem,
  toMappingItems,
  toRunItems,
} from './item-codec';
import { instantArb, LIVES_EPOCH, taskLivesArb } from './testing';

const only = (path: string): AuditRecord => {
  const records = fixtureRecords(path);
  if (records.length !== 1) throw new Error(`${path}: ${records.length} records`);
  return records[0] as AuditRecord;
};
const LIFECYCLE = TASK_LIFECYCLE_FIXTURES.map(only);
const RUNNING = LIFECYCLE[3] as AuditRecord;
const STOPPED = LIFECYCLE[6] as AuditRecord;
const OOM = only('eventbridge/task-stopped-oom.json');
const PLACEMENT = fixtureRecords('cloudtrail/runtask-placement-failure-only.json');
const RUN_TASK = fixtureRecords('cloudtrail/runtask-success.json')[0] as AuditRecord;
const DEPLOYMENT = only('eventbridge/deployment-failed.json');
const INSTANCE = only('eventbridge/container-instance-draining.json');
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** JSON round trip: absent optional fields instead of `undefined`, as stored. */
const plain = (record: AuditRecord) => JSON.parse(JSON.stringify(record)) as AuditRecord;

describe('keys of each kind of record', () => {
  it("keeps a task's state change in its task's partition, unindexed, by time and padded version", () => {
    const item = toHistoryItem(OOM, 30);

    expect(item['pk']).toBe(`T#${OOM.taskId}`);
    expect(item['sk']).toBe(`H#${OOM.eventTime}#v${String(OOM.version).padStart(10, '0')}`);
    expect(Object.keys(item).filter((name) => /^[rfe]p?sk$|^[rfe]pk$/.test(name))).toEqual([]);
    expect(item['cat']).toBe('out-of-memory');
    expect(item['ttl']).toBe(Math.floor(Date.parse(OOM.eventTime) / 1000) + 30 * 86_400);
    expect(primaryKeyOf(OOM)).toEqual({ pk: item['pk'], sk: item['sk'] });
  });

  it("keeps an API call about a task in that task's partition, by its call id", () => {
    const item = toHistoryItem(RUN_TASK, 30);

    expect(item['pk']).toBe(`T#${RUN_TASK.taskId}`);
    expect(item['sk']).toBe(`H#${RUN_TASK.eventTime}#${RUN_TASK.recordId}`);
  });

  it("keeps a service's deployment under R#, in the events index and (failed) the failures index", () => {
    const item = toHistoryItem(DEPLOYMENT, 30);
    const day = DEPLOYMENT.eventTime.slice(0, 10);

    expect(item['pk']).toBe(`R#${DEPLOYMENT.resourceArn}`);
    expect(item['epk']).toBe(`E#service:${DEPLOYMENT.serviceName}#${day}`);
    expect(item['esk']).toBe(
      `${DEPLOYMENT.eventTime}#${DEPLOYMENT.clusterArn}#${DEPLOYMENT.recordId}`,
    );
    expect(item['fpk']).toBe(`X#${day}#${shardOf(DEPLOYMENT.recordId)}`);
    expect(item['fsk']).toBe(`${DEPLOYMENT.eventTime}#${DEPLOYMENT.recordId}`);
    expect(groupOf(DEPLOYMENT)).toBe(`service:${DEPLOYMENT.serviceName}`);
  });

  it('keeps a container instance under R#, with its latest state ranked by version', () => {
    const history = toHistoryItem(INSTANCE, 30);
    const latest = toLatestItem(INSTANCE, 30);

    expect(history['pk']).toBe(`R#${INSTANCE.resourceArn}`);
    expect(history['epk']).toBeUndefined();
    expect(latest.item['pk']).toBe(history['pk']);
    expect(latest.item['sk']).toBe('LATEST');
    expect(latest.rank).toBe(String(INSTANCE.version).padStart(10, '0'));
    expect(toRunItems(INSTANCE, 30)).toBeUndefined();
  });

  it('keeps a placement failure as a run that never started, in its own partition, immutable', () => {
    const [failure] = PLACEMENT as [AuditRecord];
    const [run, ...carries] = toRunItems(failure, 30) ?? [];
    const hour = failure.eventTime.slice(0, 13);

    expect(primaryKeyOf(failure)).toEqual({ pk: `N#${failure.recordId}`, sk: 'RUN' });
    expect(run?.item).toMatchObject({
      pk: `N#${failure.recordId}`,
      sk: 'RUN',
      rk: '0',
      end: 'not-started',
      t0: failure.eventTime,
      t1: failure.eventTime,
      rpk: `S#${hour}#${shardOf(failure.recordId)}`,
      fpk: `X#${failure.eventTime.slice(0, 10)}#${shardOf(failure.recordId)}`,
    });
    expect(run?.rank).toBe('0');
    expect(carries).toEqual([]);
  });
});

describe('toRunItems: the run item and its carries', () => {
  it('puts an open run in an open partition, with no end, no expiry and no carries', () => {
    const items = toRunItems(RUNNING, 30) ?? [];
    const shard = shardOf(RUNNING.taskId as string);

    expect(items).toHaveLength(1);
    expect(items[0]?.item).toMatchObject({
      pk: `T#${RUNNING.taskId}`,
      sk: 'RUN',
      end: 'open',
      t0: RUNNING.createdAt,
      rpk: `S#OPEN#${shard}`,
      rsk: `${RUNNING.clusterName}#${RUNNING.group}#${RUNNING.createdAt}#${RUNNING.taskId}`,
      rk: runRankOf(RUNNING),
    });
    expect(items[0]?.item['t1']).toBeUndefined();
    expect(items[0]?.item['ttl']).toBeUndefined();
  });

  it('puts an ended run in its start hour, expiring a retention after its end, with its carries', () => {
    const createdAt = '2026-11-18T22:30:00.000Z';
    const stoppedAt = '2026-11-20T01:15:00.000Z';
    const record = { ...STOPPED, createdAt, stoppedAt };
    const shard = shardOf(record.taskId as string);

    const [run, ...carries] = toRunItems(record, 30) ?? [];

    expect(run?.item).toMatchObject({
      end: 'stopped',
      t0: createdAt,
      t1: stoppedAt,
      rpk: `S#2026-11-18T22#${shard}`,
      ttl: expiryAt(stoppedAt, 30),
    });
    expect(carries.map(({ item }) => item['pk'])).toEqual([
      `A#H#2026-11-18T23#${shard}`,
      `A#D#2026-11-19#${shard}`,
      `A#D#2026-11-20#${shard}`,
    ]);
    for (const carry of carries) {
      expect(carry.rank).toBe(run?.rank);
      expect(carry.item['sk']).toBe(`${record.clusterName}#${record.group}#${record.taskId}`);
      expect(runOfItem(carry.item)).toEqual(runOfItem(run?.item ?? {}));
    }
  });

  it('puts a failed run in the failures index, never one that ended in expected churn', () => {
    expect(STOPPED.outcome).toMatchObject({ status: 'stopped', churn: 'scale-in' });
    const [scaledIn] = toRunItems(STOPPED, 30) ?? [];
    const [killed] = toRunItems(OOM, 30) ?? [];

    expect(scaledIn?.item).not.toHaveProperty('fpk');
    expect(killed?.item).toHaveProperty('fpk');
  });

  it('ranks a closed run just above the record it closes, with its closure kept', () => {
    const closure = { at: '2026-11-21T00:00:00.000Z', reason: 'task gone' };

    const [run] = toRunItems(RUNNING, 30, undefined, closure) ?? [];

    expect(run?.item).toMatchObject({ end: 'closed', t1: closure.at, cr: 'task gone' });
    expect((run?.rank ?? '') > runRankOf(RUNNING)).toBe(true);
    expect((run?.rank ?? '') < runRankOf({ ...RUNNING, version: (RUNNING.version ?? 0) + 1 })).toBe(
      true,
    );
    expect(runOfItem(run?.item ?? {})).toEqual(taskRunOf(RUNNING, closure));
  });

  it('round-trips every run through its items', () => {
    fc.assert(
      fc.property(taskLivesArb({ maxLength: 3 }), (lives) => {
        for (const record of lives.flatMap((life) => life.records)) {
          const items = toRunItems(record, 30) ?? [];
          // The run item and its last carry (carries share the run item's body).
          for (const { item } of [items[0], items.at(-1)].filter((i) => i !== undefined))
            expect(runOfItem(item)).toEqual(taskRunOf(plain(record)));
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('lookup keys (table layout 3)', () => {
  const IPV6_ONLY = only('eventbridge/task-running-ipv6-only.json');
  const ON_EC2 = only('eventbridge/task-stopped-infrastructure.json');
  const instanceId = (record: AuditRecord) => record.containerInstanceArn?.split('/').pop();
  const dualStack = plain({
    ...RUNNING,
    network: { ...RUNNING.network, ipv6: '2001:0DB8:0:0:0:0:0:1'.toLowerCase() },
    containerInstanceArn: ON_EC2.containerInstanceArn as string,
  });

  it('gives a run its IPv4 address, else its IPv6 address (canonical), else its container instance', () => {
    expect(lookupKeysOf(RUNNING)).toEqual([`A#${RUNNING.network?.privateIpv4}`]);
    expect(lookupKeysOf(IPV6_ONLY)).toEqual(['A#2a05:d018:1a4:3f00:7c2e:91d4:5b0a:e813']);
    expect(lookupKeysOf(ON_EC2)).toEqual([`C#${instanceId(ON_EC2)}`]);
    expect(lookupKeysOf(dualStack)).toEqual([
      `A#${RUNNING.network?.privateIpv4}`,
      'A#2001:db8::1',
      `C#${instanceId(ON_EC2)}`,
    ]);
    // PROVISIONING: the ENI has no address yet; a container instance's record is no task's.
    expect(lookupKeysOf(LIFECYCLE[0] as AuditRecord)).toEqual([]);
    expect(lookupKeysOf(INSTANCE)).toEqual([]);
  });

  it("puts an ended run's first key on its run item, each other on a companion holding only the index's attributes; an open run's nowhere", () => {
    const open = toRunItems(dualStack, 30) ?? [];
    expect(open[0]?.item['lk']).toBeUndefined();
    expect(open.filter(({ item }) => String(item['sk']).startsWith('L#'))).toEqual([]);

    const ended = plain({
      ...STOPPED,
      network: dualStack.network,
      containerInstanceArn: dualStack.containerInstanceArn,
    });
    const items = toRunItems(ended, 30) ?? [];
    const run = items[0]?.item ?? {};
    expect(run['lk']).toBe(`A#${RUNNING.network?.privateIpv4}`);
    expect(items.filter(({ item }) => String(item['sk']).startsWith('L#'))).toEqual(
      [
        ['L#A6', 'A#2001:db8::1'],
        ['L#C', `C#${instanceId(ON_EC2)}`],
      ].map(([sk, lk]) => ({
        item: {
          pk: `T#${RUNNING.taskId}`,
          sk,
          lk,
          rk: runRankOf(ended),
          end: 'stopped',
          t0: run['t0'],
          t1: run['t1'],
          ttl: run['ttl'],
        },
        rank: runRankOf(ended),
      })),
    );
    expect(toRunItems(LIFECYCLE[0] as AuditRecord, 30)?.[0]?.item['lk']).toBeUndefined();
  });

  it("puts a container instance's latest state under its EC2 instance id, at a constant sort value", () => {
    expect(toLatestItem(INSTANCE, 30).item).toMatchObject({
      lk: `E#${INSTANCE.ec2InstanceId}`,
      t0: '0',
    });
  });

  it("maps each image a run's containers ran, by digest and by repository, to its start day, cluster and group", () => {
    const items = toMappingItems(STOPPED, 30);
    const day = STOPPED.createdAt?.slice(0, 10) as string;

    expect(items.map((item) => item['pk']).sort()).toEqual(
      [
        'M#111122223333.dkr.ecr.eu-west-1.amazonaws.com/web',
        'M#public.ecr.aws/aws-observability/aws-for-fluent-bit',
        'M#sha256:5c1e9d0b7a3f48e2c6d1b9a07f3e2d4c8b6a5f1e0d9c7b3a2e4f6d8c0b1a3e5f',
        'M#sha256:e2a94f0c7b1d3e6a8c5f2b9d0e7a1c4f6b3d8e0a2c5f7b9d1e3a6c8f0b2d4e69',
      ].sort(),
    );
    for (const item of items)
      expect(item).toEqual({
        pk: item['pk'],
        sk: `${day}#${STOPPED.clusterName}#${STOPPED.group}`,
        ttl: expiryAt(`${day}T23:59:59.999Z`, 30),
      });
    // PROVISIONING knows no digest yet: its repository mappings are the same items.
    const provisioning = toMappingItems(LIFECYCLE[0] as AuditRecord, 30);
    expect(provisioning).toEqual(
      items.filter((item) => !String(item['pk']).startsWith('M#sha256')),
    );
    expect(toMappingItems(INSTANCE, 30)).toEqual([]);
  });
});

describe('carryBoundariesOf', () => {
  /** Every whole hour H with t0 < H ≤ t1, enumerated minute by minute: midnights as days, others on t0's day as hours. */
  function enumerated(t0: number, t1: number) {
    const boundaries: { kind: 'day' | 'hour'; bucket: string }[] = [];
    const firstDay = iso(t0).slice(0, 10);
    for (let at = Math.floor(t0 / 60_000) * 60_000; at <= t1; at += 60_000) {
      if (at <= t0 || at % HOUR_MS !== 0) continue;
      if (at % DAY_MS === 0) boundaries.push({ kind: 'day', bucket: iso(at).slice(0, 10) });
      else if (iso(at).slice(0, 10) === firstDay)
        boundaries.push({ kind: 'hour', bucket: iso(at).slice(0, 13) });
    }
    return boundaries;
  }

  it("is each UTC midnight in (t0, t1] and each hour boundary in (t0, t1] of t0's day", () => {
    const spanArb = fc
      .record({
        t0: instantArb(LIVES_EPOCH - 5 * DAY_MS, LIVES_EPOCH + 5 * DAY_MS),
        length: fc.oneof(
          fc.integer({ min: 0, max: 2 * HOUR_MS }),
          fc.integer({ min: 0, max: 4 * DAY_MS }),
          fc.constantFrom(0, 1, HOUR_MS, DAY_MS),
        ),
      })
      .map(({ t0, length }) => ({ t0, t1: t0 + length }));
    fc.assert(
      fc.property(spanArb, ({ t0, t1 }) => {
        const boundaries = carryBoundariesOf(iso(t0), iso(t1));
        expect(boundaries).toEqual(enumerated(t0, t1));
      }),
      { numRuns: 300 },
    );
  });

  it('counts a boundary the run ends on, not one it starts on', () => {
    expect(carryBoundariesOf('2026-11-20T10:00:00.000Z', '2026-11-20T11:00:00.000Z')).toEqual([
      { kind: 'hour', bucket: '2026-11-20T11' },
    ]);
    expect(carryBoundariesOf('2026-11-20T23:00:00.000Z', '2026-11-21T00:00:00.000Z')).toEqual([
      { kind: 'day', bucket: '2026-11-21' },
    ]);
    expect(carryBoundariesOf('2026-11-20T10:00:00.000Z', '2026-11-20T10:59:59.999Z')).toEqual([]);
  });

  it('gives a 40-day run 13 hour carries and 40 day carries, not one per hour', () => {
    const boundaries = carryBoundariesOf('2026-10-11T10:30:00.000Z', '2026-11-20T10:30:00.000Z');

    expect(boundaries.filter((b) => b.kind === 'hour')).toHaveLength(13);
    expect(boundaries.filter((b) => b.kind === 'day')).toHaveLength(40);
  });
});

describe('sizes', () => {
  it('keeps typical items within one 1 KB write unit, a run of several containers within two', () => {
    const records = [
      ...LIFECYCLE,
      OOM,
      ...[
        'task-stopped-succeeded',
        'task-stopped-elb-health',
        'task-stopped-image-pull',
        'deployment-failed',
        'service-action-steady-state',
        'container-instance-draining',
      ].map((name) => only(`eventbridge/${name}.json`)),
      ...PLACEMENT,
      RUN_TASK,
    ];
    const items = records.flatMap((record) => [
      { record, item: toHistoryItem(record, 30), run: false },
      ...(toRunItems(record, 30) ?? []).map(({ item }) => ({ record, item, run: true })),
    ]);

    expect(items.length).toBeGreaterThan(records.length);
    // Schema 2's provenance (an image digest and a runtime id a container, the ENI) does not
    // compress: a run item of a task with a sidecar, which carries the run's index keys beside
    // the record, takes a second unit (the benchmark mix: 2.26 → 2.28 units per event).
    const over = items.filter(({ item }) => itemSizeBytes(item) > 1024);
    for (const { record, item, run } of over) {
      expect(run).toBe(true);
      expect(record.containers?.length ?? 0).toBeGreaterThan(1);
      expect(itemSizeBytes(item)).toBeLessThanOrEqual(2048);
    }
    expect(over.length).toBeLessThan(items.length / 4);
  });

  it('counts names and values as DynamoDB bills them', () => {
    expect(itemSizeBytes({ pk: 'abc', n: 12345, b: new Uint8Array(10) })).toBe(
      2 + 3 + 1 + 4 + 1 + 10,
    );
  });
});

describe('history keys, records and expiry', () => {
  it('round-trips every generated record through its history item', () => {
    fc.assert(
      fc.property(ecsInputArb, (event) => {
        for (const record of mappedRecords(event))
          expect(decodeRecord(toHistoryItem(record, 30))).toEqual(plain(record));
      }),
      { numRuns: 100 },
    );
  });

  it('gives distinct records distinct keys, and the same record the same key', () => {
    fc.assert(
      fc.property(ecsInputArb, ecsInputArb, (a, b) => {
        for (const x of mappedRecords(a))
          for (const y of mappedRecords(b)) {
            const [kx, ky] = [primaryKeyOf(x), primaryKeyOf(y)];
            expect(kx.pk === ky.pk && kx.sk === ky.sk).toBe(x.recordId === y.recordId);
          }
      }),
      { numRuns: 100 },
    );
  });

  it('sorts versions with the same time in version order (v9 before v10)', () => {
    const at = (version: number) =>
      historySortKey({ ...OOM, version, recordId: `task:${OOM.resourceArn}:v${version}` });

    expect([at(10), at(9), at(100)].sort()).toEqual([at(9), at(10), at(100)]);
  });

  it('treats an item whose TTL has passed as expired', () => {
    const item = toHistoryItem(OOM, 1);
    const expiry = expiryOf(OOM, 1);

    expect(isExpired(item, expiry - 1)).toBe(false);
    expect(isExpired(item, expiry)).toBe(true);
    expect(isExpired((toRunItems(RUNNING, 1) ?? [])[0]?.item ?? {}, Number.MAX_SAFE_INTEGER)).toBe(
      false,
    );
  });

  it('spreads keys over every shard', () => {
    const shards = new Set(LIFECYCLE.concat(PLACEMENT, OOM).map((r) => shardOf(r.recordId)));
    const many = new Set(Array.from({ length: 64 }, (_, i) => shardOf(`task-${i}`)));

    expect([...many].sort()).toEqual(Array.from({ length: SHARDS }, (_, i) => i));
    expect(shards.size).toBeGreaterThan(1);
  });
});

describe('storedItemsOf', () => {
  it('holds one history item per record (but never-started runs), one run item per run, and the top record in each', () => {
    fc.assert(
      fc.property(taskLivesArb({ maxLength: 6 }), (lives) => {
        const records = lives.flatMap((life) => life.records);
        const items = storedItemsOf([...records].reverse(), 30);
        const runItems = items.filter((item) => item['sk'] === 'RUN');
        const history = items.filter((item) => String(item['sk']).startsWith('H#'));
        const runs = toTaskRuns(records);

        expect(history).toHaveLength(
          records.filter((r) => r.recordType !== 'api-call' || r.taskId).length,
        );
        expect(runItems.map((item) => decodeRecord(item).recordId).sort()).toEqual(
          runs.map((run) => run.record.recordId).sort(),
        );
        // Highest rank last, whatever order the records come in.
        const keyed = (all: typeof items) =>
          all
            .map((item) => `${String(item['pk'])} ${String(item['sk'])} ${String(item['rk'])}`)
            .sort();
        expect(keyed(storedItemsOf(records, 30))).toEqual(keyed(items));
      }),
      { numRuns: 50 },
    );
  });

  it('keeps the latest state of a container instance and no run for it', () => {
    const items = storedItemsOf([INSTANCE], 30);

    expect(items.map((item) => item['sk'])).toEqual([historySortKey(INSTANCE), 'LATEST']);
  });
});
