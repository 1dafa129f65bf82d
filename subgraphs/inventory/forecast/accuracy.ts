/**
 * Forecast error on a holdout: the last days of a history, forecast from the days before them
 * and compared with what happened.
 */

/**
 * Mean absolute percentage error, as a fraction (0.12 is 12 %), over the days whose actual is not
 * zero: a zero actual makes the percentage infinite, and slow movers have many. Null when every
 * actual is zero. Read it with WAPE beside it: skipping zeros hides forecasts that expect sales on
 * days without any.
 */
export function mape(actual: readonly number[], forecast: readonly number[]): number | null {
  sameLength(actual, forecast)
  let sum = 0
  let count = 0
  actual.forEach((a, i) => {
    if (a === 0) return
    sum += Math.abs(a - forecast[i]!) / Math.abs(a)
    count++
  })
  return count === 0 ? null : sum / count
}

/**
 * Weighted absolute percentage error, as a fraction: Σ|actual − forecast| / Σ|actual|. Zeros
 * count (in the numerator), and a busy day weighs more than a quiet one, which is what an order
 * quantity cares about. Null when every actual is zero.
 */
export function wape(actual: readonly number[], forecast: readonly number[]): number | null {
  const total = actual.reduce((s, a) => s + Math.abs(a), 0)
  const error = absoluteError(actual, forecast)
  return total === 0 ? null : error / total
}

/** Σ|actual − forecast|: ranks forecasts of the same actuals, zeros or not. */
export function absoluteError(actual: readonly number[], forecast: readonly number[]): number {
  sameLength(actual, forecast)
  return actual.reduce((s, a, i) => s + Math.abs(a - forecast[i]!), 0)
}

function sameLength(actual: readonly number[], forecast: readonly number[]): void {
  if (actual.length !== forecast.length) throw new RangeError(`actual (${actual.length}) and forecast (${forecast.length}) differ in length`)
}
