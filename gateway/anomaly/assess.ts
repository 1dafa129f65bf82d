import { FEATURE_RULES, comparable, tripLevel, type Feature, type FeatureValues, type Reference } from './features.ts'

/**
 * The decision, from one window's features and what is normal for the client. Pure: the detector
 * calls it after every observation, and at bucket boundaries while a client is throttled.
 *
 * Strong signals say "scraping" on their own: reading far more distinct identifiers than anyone
 * normal, or walking through them in order. Weak signals only say "busy" or "odd" (fast, costly,
 * stock-heavy, failing) and each has innocent causes, so it takes two of them together.
 */

export const SIGNALS = ['distinctKeys', 'walking', 'requests', 'cost', 'stockShare', 'errorShare'] as const
export type Signal = (typeof SIGNALS)[number]

export const STRONG_SIGNALS: ReadonlySet<Signal> = new Set<Signal>(['distinctKeys', 'walking'])
/** Weak signals that must trip together for a throttle. */
export const WEAK_SIGNALS_NEEDED = 2

export interface Assessment {
  /** every signal over its level, strong and weak (recovery needs this empty) */
  readonly tripped: readonly Signal[]
  readonly throttle: boolean
  /** one line per tripped signal: value, level, and the baseline behind the level */
  readonly reasons: readonly string[]
}

type ReferenceFor = (feature: Feature) => Reference

function format(feature: Feature, value: number, perMinute = false): string {
  if (FEATURE_RULES[feature].kind === 'share') return `${Math.round(value * 100)}%`
  return `${Math.round(value)}${perMinute ? '/min' : ''}`
}

interface Trip {
  readonly over: boolean
  readonly text: string
}

function check(feature: Feature, values: FeatureValues, referenceFor: ReferenceFor, threshold: number): Trip {
  const value = comparable(feature, values)
  if (value === null) return { over: false, text: '' }
  const reference = referenceFor(feature)
  const level = tripLevel(feature, reference.value, threshold)
  const basis = FEATURE_RULES[feature].kind === 'share' ? `${threshold} × the odds of` : `${threshold} ×`
  return {
    over: value > level,
    text: `${feature} ${format(feature, values[feature], true)} > ${format(feature, level)} (${basis} ${reference.source} ${format(feature, reference.value)})`,
  }
}

export function assess(values: FeatureValues, referenceFor: ReferenceFor, threshold: number): Assessment {
  const tripped: Signal[] = []
  const reasons: string[] = []
  const single = (feature: Feature & Signal) => {
    const trip = check(feature, values, referenceFor, threshold)
    if (!trip.over) return
    tripped.push(feature)
    reasons.push(trip.text)
  }
  single('distinctKeys')
  // walking needs both: many steps (a shopper clicking through a listing in order ascends every
  // time, but a dozen times) and a high sequential share (a random walk ascends half the time)
  const steps = check('walkSteps', values, referenceFor, threshold)
  const share = check('walkShare', values, referenceFor, threshold)
  if (steps.over && share.over) {
    tripped.push('walking')
    reasons.push(`walking: ${steps.text}, ${share.text}`)
  }
  single('requests')
  single('cost')
  single('stockShare')
  single('errorShare')
  const strong = tripped.filter((signal) => STRONG_SIGNALS.has(signal)).length
  const weak = tripped.length - strong
  return { tripped, throttle: strong > 0 || weak >= WEAK_SIGNALS_NEEDED, reasons }
}
