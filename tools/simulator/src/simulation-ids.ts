/**
 * Identity of a simulated day: which seed and which day of a multi-day run. Pure.
 *
 * Resource ids begin with {@link resourceIdPrefix}, an injective function of the pair, so two
 * different pairs can never produce the same task or container instance ARN — whatever the random
 * digits after it. (Seeding the generator with `seed + day`, as before, made seed 11's second day
 * the same as seed 12's first.)
 */

/** Days one run may simulate: the day of the run takes four hex digits of the id. */
export const MAX_DAYS_PER_RUN = 0x10000;

const SEED_BITS = 56n;
const SEED_MASK = (1n << SEED_BITS) - 1n;
/** Odd multipliers: multiplication by an odd number is a bijection modulo 2^56. */
const MIX_A = 0x9e3779b97f4a7cn | 1n;
const MIX_B = 0xbf58476d1ce4e5n | 1n;

/** Throws unless `seed` is a whole number from 0 to 2^53 − 1 and `dayOfRun` fits a run. */
export function checkSimulationIdentity(seed: number, dayOfRun: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new RangeError(`the seed must be a whole number from 0 to 2^53 − 1, not ${seed}`);
  if (!Number.isInteger(dayOfRun) || dayOfRun < 0 || dayOfRun >= MAX_DAYS_PER_RUN)
    throw new RangeError(
      `a run simulates at most ${MAX_DAYS_PER_RUN} days; day ${dayOfRun} is out of range`,
    );
}

/**
 * 18 hex digits: the seed scrambled (14 digits, a bijection of its 56 bits, so it does not read as
 * a counter) and the day of the run (4 digits).
 */
export function resourceIdPrefix(seed: number, dayOfRun: number): string {
  checkSimulationIdentity(seed, dayOfRun);
  return (
    scramble(BigInt(seed)).toString(16).padStart(14, '0') + dayOfRun.toString(16).padStart(4, '0')
  );
}

/** The 32-bit generator seed of one day of a run, mixed from both so neighbours are unrelated. */
export function runSeed(seed: number, dayOfRun: number): number {
  checkSimulationIdentity(seed, dayOfRun);
  const mixed = scramble((BigInt(seed) ^ (BigInt(dayOfRun) << 40n)) & SEED_MASK);
  return Number((mixed ^ (mixed >> 32n)) & 0xffffffffn);
}

/** A bijection of 56-bit numbers: odd multiplications and xor-shifts, each invertible. */
function scramble(value: bigint): bigint {
  let x = value & SEED_MASK;
  x = (x * MIX_A) & SEED_MASK;
  x ^= x >> 29n;
  x = (x * MIX_B) & SEED_MASK;
  x ^= x >> 31n;
  return x;
}
