import type { SeededRandom } from './seeded-random';

/** Share of events EventBridge delivers twice (at least once delivery). */
const DUPLICATE_SHARE = 0.03;
/** Neighbours closer than this may swap places (delivery is not necessarily in order). */
const SWAP_WINDOW_MS = 2 * 60_000;
const SWAP_SHARE = 0.3;
/**
 * A re-sent task or container instance change comes in a new envelope and is recognised by its
 * `detail.version`; events without a version (service actions, deployments, API calls) are only
 * ever repeated as retries of the same envelope, the id being all that identifies them.
 */
const VERSIONED = new Set(['ECS Task State Change', 'ECS Container Instance State Change']);

/**
 * The events as EventBridge delivers them: in time order, a few percent twice (a versioned
 * change re-sent in a new envelope, other events as a retry of the same envelope), and neighbours within two minutes sometimes swapped.
 */
export function deliver(
  timed: readonly { timeMs: number; event: Record<string, unknown> }[],
  rng: SeededRandom,
): { events: Record<string, unknown>[]; duplicates: number } {
  const stream = [...timed].sort((a, b) => a.timeMs - b.timeMs);
  const withDuplicates: { timeMs: number; event: Record<string, unknown> }[] = [];
  let duplicates = 0;
  for (const item of stream) {
    withDuplicates.push(item);
    if (rng.next() < DUPLICATE_SHARE) {
      const delayMs = rng.int(1_000, 90_000);
      const envelopeMs = Date.parse(String(item.event['time'])) + delayMs;
      const versioned = VERSIONED.has(String(item.event['detail-type']));
      withDuplicates.push({
        timeMs: item.timeMs + delayMs,
        event: versioned
          ? {
              ...item.event,
              id: rng.uuid(),
              time: new Date(envelopeMs).toISOString().replace('.000Z', 'Z'),
            }
          : item.event,
      });
      duplicates += 1;
    }
  }
  withDuplicates.sort((a, b) => a.timeMs - b.timeMs);
  for (let i = 0; i + 1 < withDuplicates.length; i += 1) {
    const a = withDuplicates[i] as (typeof withDuplicates)[number];
    const b = withDuplicates[i + 1] as (typeof withDuplicates)[number];
    if (b.timeMs - a.timeMs <= SWAP_WINDOW_MS && rng.next() < SWAP_SHARE) {
      withDuplicates[i] = b;
      withDuplicates[i + 1] = a;
      i += 1;
    }
  }
  return { events: withDuplicates.map((item) => item.event), duplicates };
}
