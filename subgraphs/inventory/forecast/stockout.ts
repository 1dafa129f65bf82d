import type { ForecastPoint } from './forecast.ts'
import { normalCdf } from './normal.ts'

/**
 * How long stock lasts against a forecast, and how likely it is to run out within a lead time.
 *
 * The probability is analytic, not simulated: the demand over the first h days is taken as
 * normal with the forecast's cumulative mean and cumulative variance (the models' own error
 * weights, which carry the correlation between days). It is exact under the models' normal
 * errors, costs a few operations per day, and gives the same number on every recompute, which
 * matters when it is recomputed on every stock or order event; a seeded Monte Carlo would cost
 * thousands of paths per event and still wobble in its last digits with the seed.
 */

/**
 * Days the stock lasts at the forecast's mean, fractional (2.5: through the second day and
 * half of the third). 0 when nothing is available; null when the forecast's whole horizon does
 * not use it up.
 */
export function daysOfCover(available: number, points: readonly ForecastPoint[]): number | null {
  if (available <= 0) return 0
  let before = 0
  for (let i = 0; i < points.length; i++) {
    const point = points[i]!
    if (point.cumulativeMean > available) return i + (available - before) / point.mean
    before = point.cumulativeMean
  }
  return null
}

/**
 * The first day whose expected demand, added to that of the days before, exceeds the stock:
 * the day it runs out. The first forecast day when nothing is available; null when the horizon
 * does not use it up.
 */
export function stockoutDay(available: number, points: readonly ForecastPoint[]): number | null {
  if (points.length === 0) return null
  if (available <= 0) return points[0]!.day
  return points.find((point) => point.cumulativeMean > available)?.day ?? null
}

/**
 * The probability that demand exceeds `available` on or before the `leadTimeDays`-th forecast
 * day. Stock runs out by day L if it runs out by any day h ≤ L, so this is the largest of the
 * per-day probabilities P(D_h > available): the union's probability is at least each one's, and
 * under the normal approximation a later day with a wider spread can show a lower figure than an
 * earlier one that real (never negative) demand would not. It is therefore never smaller for a
 * longer lead time, nor for less stock. 1 when nothing is available.
 */
export function stockoutProbability(available: number, points: readonly ForecastPoint[], leadTimeDays: number): number {
  if (!Number.isSafeInteger(leadTimeDays) || leadTimeDays < 0) throw new RangeError(`leadTimeDays must be a non-negative integer, got ${leadTimeDays}`)
  if (leadTimeDays > points.length) throw new RangeError(`the forecast covers ${points.length} days, fewer than the lead time of ${leadTimeDays}`)
  if (available <= 0) return 1
  let probability = 0
  for (const point of points.slice(0, leadTimeDays)) {
    const sd = Math.sqrt(point.cumulativeVariance)
    const p = sd > 0 ? normalCdf((point.cumulativeMean - available) / sd) : point.cumulativeMean > available ? 1 : 0
    probability = Math.max(probability, p)
  }
  return probability
}

export interface StockoutRisk {
  readonly daysOfCover: number | null
  readonly stockoutDay: number | null
  readonly probabilityWithinLeadTime: number
}

/** The three together, as `ProductVariant.stockoutRisk` will answer them. */
export function stockoutRisk(available: number, points: readonly ForecastPoint[], leadTimeDays: number): StockoutRisk {
  return {
    daysOfCover: daysOfCover(available, points),
    stockoutDay: stockoutDay(available, points),
    probabilityWithinLeadTime: stockoutProbability(available, points, leadTimeDays),
  }
}
