import type { TaskRun } from '@ecslog/task-runs';
import type { CachedRead } from './read-cache';
import { createReadCache, readKeyOf } from './read-cache';
import type { PartitionRead } from './run-query-plan';

/** An answer of `n` items (the runs themselves do not matter to the cache). */
function answerOf(n: number): CachedRead {
  return {
    items: Array.from({ length: n }, (_, i) => ({
      run: { id: `run-${i}` } as TaskRun,
      rank: '1',
      carried: false,
    })),
  };
}

describe('createReadCache', () => {
  it('serves an answer again under the generation it was noted under, and never under another', () => {
    const cache = createReadCache(100);
    const answer = answerOf(3);
    cache.set('a', 7, answer);

    expect(cache.get('a', 7)).toBe(answer);
    expect(cache.get('a', 8)).toBeUndefined();
    // Gone for good: the generation 7 will not come back as the current one of this store.
    expect(cache.get('a', 7)).toBeUndefined();
  });

  it('does not keep an answer noted under an older generation than the one it holds (a read that raced a write)', () => {
    const cache = createReadCache(100);
    expect(cache.get('a', 8)).toBeUndefined();

    cache.set('a', 7, answerOf(2));

    expect(cache.get('a', 8)).toBeUndefined();
    expect(cache.size()).toBe(0);
  });

  it('drops the least recently used answers once it holds more runs than its bound', () => {
    const cache = createReadCache(10);
    cache.set('a', 1, answerOf(4));
    cache.set('b', 1, answerOf(4));
    cache.get('a', 1);

    cache.set('c', 1, answerOf(4));

    expect(cache.get('b', 1)).toBeUndefined();
    expect(cache.get('a', 1)).toBeDefined();
    expect(cache.get('c', 1)).toBeDefined();
    expect(cache.size()).toBe(8);
  });

  it('keeps no answer larger than its bound, and counts a replaced answer once', () => {
    const cache = createReadCache(5);
    cache.set('big', 1, answerOf(6));
    cache.set('a', 1, answerOf(2));
    cache.set('a', 1, answerOf(3));

    expect(cache.get('big', 1)).toBeUndefined();
    expect(cache.size()).toBe(3);
  });
});

describe('readKeyOf', () => {
  const read: PartitionRead = {
    indexName: 'runs',
    partitionKeyName: 'rpk',
    partitionKey: 'C#prod#D#2026-11-20',
    sortKeyName: 'rsk',
    sortKey: { between: ['2026-11-20T00:00:00.000Z', '2026-11-20T23:59:59.999Z'] },
  };

  it('tells apart reads that differ in partition, sort key range or projection', () => {
    const keys = new Set([
      readKeyOf(read, ['r']),
      readKeyOf({ ...read, partitionKey: 'C#batch#D#2026-11-20' }, ['r']),
      readKeyOf({ ...read, sortKey: { beginsWith: '2026-11-20' } }, ['r']),
      readKeyOf(read, ['r', 'rk']),
      readKeyOf({ ...read, indexName: undefined }, ['r']),
    ]);

    expect(keys.size).toBe(5);
    expect(readKeyOf({ ...read }, ['r'])).toBe(readKeyOf(read, ['r']));
  });
});
