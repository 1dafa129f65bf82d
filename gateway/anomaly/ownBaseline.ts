import { FEATURES, comparable, type Feature, type FeatureValues } from './features.ts'

/**
 * A client's own norm: a slow moving average of its features, one sample per 10 s bucket in
 * which it was active. It starts at 0, not at the first sample, so a client that arrives already
 * scraping cannot declare that normal; an average at 0 raises no level, the floors cover the start.
 *
 * The detector stops feeding it while the client is throttled, and every sample is clipped to the
 * level the client would trip at, so no single burst lifts it: raising it takes hours of traffic
 * that was already passing, and referenceOf caps what it can lift at all.
 */

/** Time constant of a client's own average: about an hour of activity to learn 86% of a new habit. */
export const OWN_TIME_CONSTANT_MS = 30 * 60_000

export type OwnBaseline = Float64Array

export function createOwnBaseline(): OwnBaseline {
  return new Float64Array(FEATURES.length)
}

export function learnOwn(own: OwnBaseline, values: FeatureValues, levelOf: (feature: Feature) => number, sampleMs: number): void {
  const alpha = 1 - Math.exp(-sampleMs / OWN_TIME_CONSTANT_MS)
  FEATURES.forEach((feature, i) => {
    const value = comparable(feature, values)
    if (value === null) return
    const clipped = Math.min(value, levelOf(feature))
    own[i] = (own[i] as number) + alpha * (clipped - (own[i] as number))
  })
}

export function ownValue(own: OwnBaseline | null, feature: Feature): number | null {
  return own === null ? null : (own[FEATURES.indexOf(feature)] as number)
}
