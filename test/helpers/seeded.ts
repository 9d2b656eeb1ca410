/**
 * A seeded random source for tests whose choices must replay: mulberry32,
 * small, and its low bits are as random as its high ones. `random(n)` is an
 * integer in [0, n).
 */
export function seeded(seedValue: number): (n: number) => number {
  let seed = seedValue >>> 0;
  return (n) => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
}
