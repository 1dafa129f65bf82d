import type { WindowCounts } from './clientWindow.ts'

/**
 * What the detector measures over a client's last minute, and the floor of each: the level a
 * client may reach with no baseline at all. The rate floors are the busiest *normal* customer, so
 * any threshold above 1 keeps that customer under them; the default 4 leaves a wide margin:
 *
 * - requests 30/min: a shopper clicking every two seconds without pause.
 * - cost 24,000/min: ProductPage, the heaviest storefront operation, measures 772 at the default
 *   list sizes, so 30 product pages a minute cost 23,160. The trip level (96,000/min, 1,600/s) is
 *   above every role's refill but staff's: cost trips on demand (refused operations are observed
 *   too), when a client keeps asking for several times what its budget allows.
 * - distinctKeys 40/min: forty different products (or SKUs, carts, orders) named in a minute.
 * - walkSteps 20/min and walkShare 0.5: a shopper's steps between new identifiers ascend about half
 *   the time by chance, and all of the time when they open a listing's products in order, but
 *   never more than the 40 new identifiers a minute above; walking needs threshold × 20 steps (80)
 *   and a sequential share above threshold × the odds of 0.5 (80%). Half the breadth floor, so a
 *   sequential walk trips in half the time breadth alone would take.
 * - stockShare 0.75: product pages and carts show availability, so most of a shopper's operations
 *   read stock, and a customer who only opens product pages is at 100%: weak, never enough alone.
 * - errorShare 0.1: a refused checkout or a dead link now and then.
 *
 * So with any threshold of 2 or more, the busiest normal customer trips at most one weak signal
 * (stock share) and is never throttled. Below 2 a shopper opening a listing in order can walk.
 */

export const FEATURES = ['requests', 'cost', 'distinctKeys', 'walkSteps', 'walkShare', 'stockShare', 'errorShare'] as const
export type Feature = (typeof FEATURES)[number]
export type FeatureValues = Readonly<Record<Feature, number>>

export interface FeatureRule {
  /** a rate trips at threshold × reference; a share at threshold × the odds of its reference */
  readonly kind: 'rate' | 'share'
  readonly floor: number
  /** for a share: the count it is a share of */
  readonly of?: 'requests' | 'walkSteps'
}

export const FEATURE_RULES: Readonly<Record<Feature, FeatureRule>> = Object.freeze({
  requests: { kind: 'rate', floor: 30 },
  cost: { kind: 'rate', floor: 24_000 },
  distinctKeys: { kind: 'rate', floor: 40 },
  walkSteps: { kind: 'rate', floor: 20 },
  walkShare: { kind: 'share', floor: 0.5, of: 'walkSteps' },
  stockShare: { kind: 'share', floor: 0.75, of: 'requests' },
  errorShare: { kind: 'share', floor: 0.1, of: 'requests' },
})

/** A share over fewer operations (or steps) than this says nothing: 3 of 3 reading stock is one product page. */
export const MIN_SHARE_SAMPLE = 20

/** Shares kept off 0 and 1, where odds stop being numbers. */
const SHARE_BOUND = 0.001

/** The features of a window; shares are plain ratios (0 over an empty sample), as staff read them. */
export function featuresOf(counts: WindowCounts): FeatureValues {
  const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : 0)
  return {
    requests: counts.requests,
    cost: counts.cost,
    distinctKeys: counts.distinctKeys,
    walkSteps: counts.walkSteps,
    walkShare: ratio(counts.walkSequential, counts.walkSteps),
    stockShare: ratio(counts.stockReads, counts.requests),
    errorShare: ratio(counts.errors, counts.requests),
  }
}

/**
 * The value compared with trip levels and learned into baselines, or null when a share rests on
 * fewer than MIN_SHARE_SAMPLE operations. A share gets half an observation added to each side
 * (the Jeffreys correction): 20 of 20 becomes 0.976, which a level can sit above, rather than 1,
 * which every level below 1 would call anomalous however normal all-stock traffic is in a cohort.
 */
export function comparable(feature: Feature, values: FeatureValues): number | null {
  const rule = FEATURE_RULES[feature]
  if (rule.kind === 'rate' || rule.of === undefined) return values[feature]
  const sample = values[rule.of]
  if (sample < MIN_SHARE_SAMPLE) return null
  return (values[feature] * sample + 0.5) / (sample + 1)
}

function boundShare(share: number): number {
  return Math.min(1 - SHARE_BOUND, Math.max(SHARE_BOUND, share))
}

/**
 * Where a feature trips, given what is normal for it. For a rate, threshold × normal. A share
 * cannot be multiplied (4 × 0.75 is not a share), so the threshold multiplies its odds instead:
 * at threshold 4, a normal 50% (odds 1:1) trips above 80% (4:1), a normal 10% above 31%.
 */
export function tripLevel(feature: Feature, reference: number, threshold: number): number {
  if (FEATURE_RULES[feature].kind === 'rate') return threshold * reference
  const share = boundShare(reference)
  const odds = (threshold * share) / (1 - share)
  return odds / (1 + odds)
}

export type ReferenceSource = 'floor' | 'cohort' | 'own'

export interface Reference {
  readonly value: number
  readonly source: ReferenceSource
}

/**
 * What counts as normal for this client: the highest of the floor, its cohort's baseline and its
 * own. Its own is capped at the level that would trip it against its cohort (or the floor), so a
 * client that crept up slowly for hours can reach at most threshold² × its cohort's norm.
 */
export function referenceOf(feature: Feature, own: number | null, cohort: number | null, threshold: number): Reference {
  const floor = FEATURE_RULES[feature].floor
  let reference: Reference = { value: floor, source: 'floor' }
  if (cohort !== null && cohort > reference.value) reference = { value: cohort, source: 'cohort' }
  if (own !== null) {
    const capped = Math.min(own, tripLevel(feature, reference.value, threshold))
    if (capped > reference.value) reference = { value: capped, source: 'own' }
  }
  return reference
}
