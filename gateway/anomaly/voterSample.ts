/**
 * The clients whose medians make a cohort's baseline in one 10 s tick: every active client while
 * there are few, a uniform sample of MAX_VOTERS once there are more (reservoir sampling, Vitter's
 * algorithm R: https://en.wikipedia.org/wiki/Reservoir_sampling). Uniform matters: keeping the
 * first arrivals instead would favour the busiest clients, the ones that call most often.
 */

/** A median of 1,024 is as good as the whole cohort's for this purpose, and sorting it is cheap. */
export const MAX_VOTERS = 1_024

export interface VoterSample<T> {
  readonly items: T[]
  offered: number
  /** xorshift32 state: deterministic, so the same traffic always gives the same baselines */
  seed: number
}

export function createVoterSample<T>(): VoterSample<T> {
  return { items: [], offered: 0, seed: 0x9e3779b9 | 0 }
}

function nextRandom(sample: VoterSample<unknown>): number {
  let x = sample.seed
  x ^= x << 13
  x ^= x >>> 17
  x ^= x << 5
  sample.seed = x
  return (x >>> 0) / 0x1_0000_0000
}

export function offerVoter<T>(sample: VoterSample<T>, item: T): void {
  sample.offered++
  if (sample.items.length < MAX_VOTERS) {
    sample.items.push(item)
    return
  }
  const slot = Math.floor(nextRandom(sample) * sample.offered)
  if (slot < MAX_VOTERS) sample.items[slot] = item
}
