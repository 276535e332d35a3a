/**
 * What a reader keeps of its partition reads between reads, for a store whose every write passes
 * one door that counts them (local mode's write generation). Pure: the reader notes the
 * generation before it sends a read and hands it here with the result; a later read finds the
 * result only while the generation is still that one, so nothing is ever served that a read of
 * the store would not give.
 */
import type { TaskRun } from '@ecslog/task-runs';
import type { PartitionRead } from './run-query-plan';

/** How a reader caches its reads (see `AuditReaderOptions.readCache`). */
export interface ReadCacheOptions {
  /**
   * The store's write generation now: it changes whenever a write may have completed since it
   * was last asked. Asked once per read, before anything is sent.
   */
  generation: () => number | Promise<number>;
  /** Most runs held, summed over the reads kept (default {@link DEFAULT_CACHED_RUNS}). */
  maxRuns?: number;
}

/** Runs a read cache holds by default: six days of the UI benchmark's 10,000 runs. */
export const DEFAULT_CACHED_RUNS = 60_000;

/** One item a partition read found, as the reader uses it. */
export interface CachedRunItem {
  run: TaskRun;
  /** The item's rank (`rk`). */
  rank: string;
  /** True for a carry item (`A#…` partition). */
  carried: boolean;
  /** The item's TTL (epoch seconds), to drop it once expired as a read would. */
  expiresAt?: number;
}

/** A partition read's decoded answer. */
export interface CachedRead {
  items: readonly CachedRunItem[];
}

export interface ReadCache {
  /** The read's answer kept under `generation`, or undefined (a miss, or a stale answer dropped). */
  get(key: string, generation: number): CachedRead | undefined;
  /** Keeps an answer read after `generation` was noted; ignored when a newer one is known. */
  set(key: string, generation: number, read: CachedRead): void;
  /** Runs held now (for tests and figures). */
  size(): number;
}

/**
 * The key of a partition read and the attributes it projects: two reads with the same key ask the
 * store the same question.
 */
export function readKeyOf(read: PartitionRead, attributes: readonly string[] = []): string {
  return JSON.stringify([
    read.indexName ?? '',
    read.partitionKeyName,
    read.partitionKey,
    read.sortKeyName,
    read.sortKey ?? null,
    attributes,
  ]);
}

/**
 * A bounded cache of decoded reads, least recently used dropped first by the runs it holds. It
 * holds one generation at a time: seeing another drops everything, as every answer kept is then
 * possibly stale; an answer noted under another than the one held (a read that raced a write) is
 * not kept.
 */
export function createReadCache(maxRuns: number = DEFAULT_CACHED_RUNS): ReadCache {
  const kept = new Map<string, CachedRead>();
  let held = 0;
  let generation: number | undefined;

  /** Moves to the generation `current`: every answer kept under another is possibly stale. */
  function moveTo(current: number): void {
    if (generation === current) return;
    kept.clear();
    held = 0;
    generation = current;
  }

  return {
    get(key, current) {
      if (generation !== current) {
        moveTo(current);
        return undefined;
      }
      const read = kept.get(key);
      if (read === undefined) return undefined;
      kept.delete(key);
      kept.set(key, read);
      return read;
    },
    set(key, noted, read) {
      // Generations are compared for equality only (a restarted store counts afresh): an answer
      // noted under another generation than the one held raced a write, or is older than it.
      if (generation === undefined) moveTo(noted);
      if (noted !== generation || read.items.length > maxRuns) return;
      const previous = kept.get(key);
      if (previous !== undefined) {
        held -= previous.items.length;
        kept.delete(key);
      }
      kept.set(key, read);
      held += read.items.length;
      for (const [oldest, answer] of kept) {
        if (held <= maxRuns) break;
        kept.delete(oldest);
        held -= answer.items.length;
      }
    },
    size: () => held,
  };
}
