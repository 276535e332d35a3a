/** A small seeded PRNG (mulberry32): the simulator's only source of variety, so a seed fixes the day. */
export interface SeededRandom {
  /** In [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(values: readonly T[]): T;
  hex(length: number): string;
  digits(length: number): string;
  uuid(): string;
}

export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const chars = (alphabet: string, length: number) =>
    Array.from({ length }, () => alphabet[int(0, alphabet.length - 1)]).join('');
  const hex = (length: number) => chars('0123456789abcdef', length);
  return {
    next,
    int,
    pick: (values) => values[int(0, values.length - 1)] as (typeof values)[number],
    hex,
    digits: (length) => chars('123456789', 1) + chars('0123456789', length - 1),
    uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-${chars('89ab', 1)}${hex(3)}-${hex(12)}`,
  };
}
