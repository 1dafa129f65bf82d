import { errorWeight, pointForecast } from './holtWinters.ts'
import { isMean, oneStepVariance, type DemandModel } from './models.ts'
import { inverseNormalCdf } from './normal.ts'

/** One day of a forecast. Units are the series' units (items a day). */
export interface ForecastPoint {
  readonly day: number
  /** Expected demand, never negative. */
  readonly mean: number
  /** The prediction interval's edges (see `forecast`'s coverage), never negative. */
  readonly lower: number
  readonly upper: number
  /** Variance of this day's forecast error. */
  readonly variance: number
  /** Expected demand from the first forecast day through this one. */
  readonly cumulativeMean: number
  /**
   * Variance of the error of that sum. Not the sum of the daily variances: one surprise moves the
   * level, and so every later day, so the daily errors are correlated and the sum's variance is
   * larger (for a trending or slowly smoothed series, much larger).
   */
  readonly cumulativeVariance: number
}

/** The share of actual days an interval is meant to hold when none is asked for. */
export const DEFAULT_COVERAGE = 0.8

/**
 * The next `days` days after `model.through`, with intervals holding `coverage` of outcomes
 * under the model's normal errors. Means and edges are floored at zero: a negative forecast
 * says "none" and no stock-out or order should be planned on less than none.
 */
export function forecast(model: DemandModel, days: number, coverage = DEFAULT_COVERAGE): ForecastPoint[] {
  if (!Number.isSafeInteger(days) || days < 0) throw new RangeError(`days must be a non-negative integer, got ${days}`)
  if (!(coverage > 0 && coverage < 1)) throw new RangeError(`coverage must lie strictly between 0 and 1, got ${coverage}`)
  const z = inverseNormalCdf(0.5 + coverage / 2)
  const sigma2 = oneStepVariance(model)
  const points: ForecastPoint[] = []
  let cumulativeMean = 0
  let cumulativeVariance = 0
  // smoothing models: Σ_{j<h} cⱼ² for the day's variance, and Cₖ = Σ_{j≤k} cⱼ for the sum's
  let squaredWeights = 0
  let weights = 0
  for (let h = 1; h <= days; h++) {
    let raw: number
    let variance: number
    if (isMean(model)) {
      raw = model.mean
      // the mean's own error is shared by every day: σ²/n a day and (hσ)²/n over h days
      const shared = model.count > 0 ? sigma2 / model.count : 0
      variance = sigma2 + shared
      cumulativeVariance = h * sigma2 + h * h * shared
    } else {
      raw = pointForecast(model.components, model.through, h)
      variance = sigma2 * (1 + squaredWeights)
      // the error of day i after the state weighs 1 + C_{h−i} in the sum through day h
      cumulativeVariance += sigma2 * (1 + weights) ** 2
      const c = errorWeight(model.parameters, h)
      squaredWeights += c * c
      weights += c
    }
    const spread = z * Math.sqrt(variance)
    const mean = Math.max(0, raw)
    cumulativeMean += mean
    points.push({
      day: model.through + h,
      mean,
      lower: Math.max(0, raw - spread),
      upper: Math.max(0, raw + spread),
      variance,
      cumulativeMean,
      cumulativeVariance,
    })
  }
  return points
}
