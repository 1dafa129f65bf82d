import { FEATURES, comparable, type Feature, type FeatureValues } from './features.ts'

/**
 * A cohort's (anonymous, customer, partner, staff) robust norm: every 10 s, the median of each
 * feature across the cohort's active, unthrottled clients, folded into a slow moving average.
 *
 * - The median, so a minority cannot move it: bots would have to outnumber the cohort's normal
 *   active clients to vouch for one another.
 * - Throttled clients have no vote, for the same reason they cannot raise their own baseline.
 * - At least MIN_COHORT_CLIENTS voters, or the tick does not count: a cohort of one (a lone partner)
 *   would otherwise be its own norm.
 * - The average is bias-corrected (divided by the weight it has accumulated), so the first medians
 *   count at once. That is safe because a cohort's baseline only ever raises trip levels above the
 *   floors, and the median already needs a majority.
 */

export const MIN_COHORT_CLIENTS = 5
/** Time constant of the cohort's moving average: a shift in what a whole cohort does takes minutes to become normal. */
export const COHORT_TIME_CONSTANT_MS = 10 * 60_000

export interface CohortBaseline {
  /** per feature (FEATURES order): the weighted sum of medians, and the weight it holds */
  readonly sum: Float64Array
  readonly weight: Float64Array
}

export function createCohortBaseline(): CohortBaseline {
  return { sum: new Float64Array(FEATURES.length), weight: new Float64Array(FEATURES.length) }
}

export function median(values: number[]): number {
  const sorted = values.sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/** Folds one tick into the baseline; `elapsedMs` since the previous tick sets how much it weighs. */
export function foldCohortTick(baseline: CohortBaseline, voters: readonly FeatureValues[], elapsedMs: number): void {
  const alpha = 1 - Math.exp(-elapsedMs / COHORT_TIME_CONSTANT_MS)
  FEATURES.forEach((feature, i) => {
    const values: number[] = []
    for (const voter of voters) {
      const value = comparable(feature, voter)
      if (value !== null) values.push(value)
    }
    if (values.length < MIN_COHORT_CLIENTS) return
    baseline.sum[i] = (1 - alpha) * (baseline.sum[i] as number) + alpha * median(values)
    baseline.weight[i] = (1 - alpha) * (baseline.weight[i] as number) + alpha
  })
}

/** The cohort's norm for a feature, or null before MIN_COHORT_CLIENTS ever voted on it. */
export function cohortValue(baseline: CohortBaseline, feature: Feature): number | null {
  const i = FEATURES.indexOf(feature)
  const weight = baseline.weight[i] as number
  return weight > 0 ? (baseline.sum[i] as number) / weight : null
}
