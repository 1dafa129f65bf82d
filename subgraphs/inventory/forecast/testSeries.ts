import { seededRandom } from '../../../platform/random.ts'
import { weekSlot } from './day.ts'
import type { DemandHistory } from './series.ts'

/** Weekday multipliers by `weekSlot` (Thursday first): a weekend peak, a quiet start of the week. */
export const WEEKLY_PATTERN = [1.0, 1.1, 1.35, 1.25, 0.75, 0.7, 0.85] as const

export interface SyntheticOptions {
  readonly days: number
  readonly seed: number
  /** Default 2024-01-01. */
  readonly firstDay?: number
  /** Mean daily demand on the first day (default 100). */
  readonly base?: number
  /** Units a day added to the mean each day (default 0.1). */
  readonly trend?: number
  readonly pattern?: readonly number[]
  /** Standard deviation of the multiplicative noise (default 0.1, i.e. 10 %). */
  readonly noise?: number
}

/** A seeded standard normal source (Box-Muller over the project's seeded generator). */
export function gaussian(seed: number): () => number {
  const random = seededRandom(seed)
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}

/** Demand = (base + trend·t) × weekday multiplier × (1 + noise·N(0, 1)), floored at 0. */
export function syntheticDemand(options: SyntheticOptions): DemandHistory {
  const { days, seed, firstDay = 19_723, base = 100, trend = 0.1, pattern = WEEKLY_PATTERN, noise = 0.1 } = options
  const normal = gaussian(seed)
  const values = Array.from({ length: days }, (_, t) =>
    Math.max(0, (base + trend * t) * (pattern[weekSlot(firstDay + t)] ?? 1) * (1 + noise * normal())))
  return { firstDay, values }
}

/** The history's first `days` days and the rest. */
export function splitHistory(history: DemandHistory, days: number): [DemandHistory, readonly number[]] {
  return [{ firstDay: history.firstDay, values: history.values.slice(0, days) }, history.values.slice(days)]
}
