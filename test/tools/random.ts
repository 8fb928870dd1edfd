/**
 * Seeded pseudo-random numbers (mulberry32) so that generated data is reproducible. The seed defaults to a constant
 * and can be set with C2C_TEST_SEED; each item derives its own generator from seed + index, so one item can be
 * regenerated alone.
 */
export const TEST_SEED = Number(process.env.C2C_TEST_SEED ?? 20261122);

export type Random = () => number;

export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The generator of item `index` under the test seed. */
export function randomFor(index: number, seed = TEST_SEED): Random {
  return seededRandom((seed * 31 + index) | 0);
}

/** An integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}
