import { weekSlot } from './day.ts'

/**
 * Additive Holt-Winters with a weekly season, written in error-correction form (Hyndman &
 * Athanasopoulos, "Forecasting: Principles and Practice", 3rd ed., §8.3 and §8.5, ETS(A,A,A)):
 *
 *   ŷ = ℓ + b + s[w]           e = y − ŷ
 *   ℓ ← ℓ + b + α·e            b ← b + α·β·e            s[w] ← s[w] + γ·(1 − α)·e
 *
 * which is the textbook recursion (ℓ = α(y − s) + (1 − α)(ℓ + b), …) rearranged, with α, β, γ
 * the usual smoothing weights in [0, 1]. The same form with β = γ = 0 and no season is simple
 * exponential smoothing, and with α = β = 0, γ = 1 and no level it is the seasonal naive model,
 * so the fallbacks share this recursion, its incremental update and its interval formula.
 *
 * Additive rather than multiplicative: store-level daily demand has days of zero sales, where a
 * multiplicative season divides by zero or locks a weekday at zero; the additive model with its
 * forecasts floored at zero has neither problem.
 */
export const SEASON = 7

export interface SmoothingParameters {
  readonly alpha: number
  readonly beta: number
  readonly gamma: number
}

/** The model's state after the last day it has seen. */
export interface SmoothingComponents {
  readonly level: number
  readonly trend: number
  /** Seasonal offsets by `weekSlot` of the day, so they need no position in a series. */
  readonly season: readonly number[]
}

/** One-step-ahead errors since the model was fitted: the spread its intervals are built from. */
export interface Residuals {
  readonly count: number
  readonly sumSquares: number
}

export interface SmoothingRun {
  readonly components: SmoothingComponents
  readonly residuals: Residuals
}

/**
 * Level, trend and season from the first whole weeks (up to four): the season is each weekday's
 * mean distance from the line through the weekly means, centred to sum to zero; the level is
 * set one day before the first, so the first forecast lands on the line.
 */
export function initialHoltWinters(values: readonly number[], firstDay: number): SmoothingComponents {
  const weeks = Math.min(4, Math.floor(values.length / SEASON))
  if (weeks < 2) throw new RangeError(`Holt-Winters needs two whole weeks, got ${values.length} days`)
  const weekMean = (w: number) => values.slice(w * SEASON, (w + 1) * SEASON).reduce((a, b) => a + b, 0) / SEASON
  const first = weekMean(0)
  const trend = (weekMean(weeks - 1) - first) / (SEASON * (weeks - 1))
  const centre = (SEASON - 1) / 2
  const season = new Array<number>(SEASON).fill(0)
  for (let t = 0; t < weeks * SEASON; t++) {
    season[weekSlot(firstDay + t)]! += ((values[t] ?? 0) - (first + trend * (t - centre))) / weeks
  }
  const offset = season.reduce((a, b) => a + b, 0) / SEASON
  return { level: first - trend * (centre + 1), trend, season: season.map((s) => s - offset) }
}

/** Simple exponential smoothing starts from the mean of the first week (or of what there is). */
export function initialSmoothing(values: readonly number[]): SmoothingComponents {
  const head = values.slice(0, SEASON)
  if (head.length === 0) throw new RangeError('simple smoothing needs at least one day')
  return { level: head.reduce((a, b) => a + b, 0) / head.length, trend: 0, season: new Array<number>(SEASON).fill(0) }
}

/** The seasonal naive model starts from the first week as it was. */
export function initialSeasonalNaive(values: readonly number[], firstDay: number): SmoothingComponents {
  if (values.length < SEASON) throw new RangeError(`the seasonal naive model needs a whole week, got ${values.length} days`)
  const season = new Array<number>(SEASON).fill(0)
  for (let t = 0; t < SEASON; t++) season[weekSlot(firstDay + t)] = values[t] ?? 0
  return { level: 0, trend: 0, season }
}

/**
 * Runs the recursion over `values` (day `firstDay` onwards) from `start`, counting the squared
 * one-step errors of the days from index `warmup` on (the days the start was estimated from
 * would flatter the fit). One tight loop without allocation: fitting calls it a few hundred times.
 */
export function runSmoothing(
  values: readonly number[],
  firstDay: number,
  start: SmoothingComponents,
  parameters: SmoothingParameters,
  warmup: number,
): SmoothingRun {
  const { alpha, beta, gamma } = parameters
  const season = Float64Array.from(start.season)
  let { level, trend } = start
  let sumSquares = 0
  let count = 0
  let slot = weekSlot(firstDay)
  for (let t = 0; t < values.length; t++) {
    const error = (values[t] ?? 0) - (level + trend + season[slot]!)
    level = level + trend + alpha * error
    trend = trend + alpha * beta * error
    season[slot]! += gamma * (1 - alpha) * error
    if (t >= warmup) {
      sumSquares += error * error
      count++
    }
    slot = slot === SEASON - 1 ? 0 : slot + 1
  }
  return { components: { level, trend, season: Array.from(season) }, residuals: { count, sumSquares } }
}

/** One more day folded into a fitted state: the same arithmetic as one turn of `runSmoothing`. */
export function stepSmoothing(
  components: SmoothingComponents,
  parameters: SmoothingParameters,
  day: number,
  value: number,
): { readonly components: SmoothingComponents; readonly error: number } {
  const error = value - pointForecast(components, day - 1, 1)
  return { components: runSmoothing([value], day, components, parameters, 0).components, error }
}

/** The forecast for `day` before any later day is seen, `h` days after the state (h ≥ 1). */
export function pointForecast(components: SmoothingComponents, lastDay: number, h: number): number {
  return components.level + h * components.trend + (components.season[weekSlot(lastDay + h)] ?? 0)
}

/**
 * The weight of an error made j days after the state in the forecast error j days later:
 * cⱼ = α(1 + jβ) + γ(1 − α)·[j a multiple of the season]. The h-day error variance is
 * σ²(1 + Σ_{j<h} cⱼ²) (Hyndman et al. 2008, "Forecasting with Exponential Smoothing", ch. 6,
 * class 1 models; FPP §8.7), so intervals widen with the horizon at the rate the model's own
 * weights say. holtWinters.test.ts checks it against the model's simulated errors.
 */
export function errorWeight(parameters: SmoothingParameters, j: number): number {
  const { alpha, beta, gamma } = parameters
  return alpha * (1 + j * beta) + (j % SEASON === 0 ? gamma * (1 - alpha) : 0)
}
