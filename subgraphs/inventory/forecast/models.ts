import {
  initialHoltWinters, initialSeasonalNaive, initialSmoothing, runSmoothing, SEASON, stepSmoothing,
  type Residuals, type SmoothingComponents, type SmoothingParameters,
} from './holtWinters.ts'
import { minimize } from './minimize.ts'
import { demandThrough, type DemandHistory, type DemandSeries } from './series.ts'

/**
 * The demand models, from the richest to the one for no history at all, as plain JSON-safe
 * state: fitted once on a history, then carried forward one day at a time by `observe` until
 * `refitDue` says to fit again.
 *
 * - HOLT_WINTERS: level, trend and weekly season; needs two whole weeks.
 * - SEASONAL_NAIVE: each weekday as it was a week before; needs one week.
 * - SIMPLE_SMOOTHING: an exponentially weighted level, no trend or season; needs two days.
 * - MEAN: the mean of every day seen, for under a week of history.
 * - NONE: no history: zero, with a spread of NO_HISTORY_VARIANCE a day.
 */
export type ModelKind = 'HOLT_WINTERS' | 'SEASONAL_NAIVE' | 'SIMPLE_SMOOTHING' | 'MEAN' | 'NONE'
export type SmoothingKind = 'HOLT_WINTERS' | 'SEASONAL_NAIVE' | 'SIMPLE_SMOOTHING'

/** The fewest days of history each kind is fitted on. */
export const MINIMUM_DAYS: Readonly<Record<ModelKind, number>> = {
  HOLT_WINTERS: 2 * SEASON, SEASONAL_NAIVE: SEASON, SIMPLE_SMOOTHING: 2, MEAN: 1, NONE: 0,
}

/** With nothing seen, one unit's spread a day: a placeholder, not an estimate. */
export const NO_HISTORY_VARIANCE = 1
/** Fitted weights go stale: refit a week after the last fit even when nothing looks wrong. */
export const REFIT_EVERY_DAYS = 7
/** Refit early when recent squared errors run this many times over the fitted variance. */
export const DRIFT_RATIO = 3
/** Weight of the newest squared error in `recentSquaredError` (about the last five days). */
const RECENT_WEIGHT = 0.2

interface FittedModel {
  /** The last day folded in; forecasts start the day after. */
  readonly through: number
  /** The last day of the history it was last fitted on. */
  readonly fittedThrough: number
  /** Exponentially weighted mean of recent squared one-step errors (starts at the fitted variance). */
  readonly recentSquaredError: number
}

export interface SmoothingModel extends FittedModel {
  readonly kind: SmoothingKind
  readonly parameters: SmoothingParameters
  readonly components: SmoothingComponents
  readonly residuals: Residuals
}

export interface MeanModel extends FittedModel {
  readonly kind: 'MEAN' | 'NONE'
  readonly count: number
  readonly mean: number
  /** Sum of squared deviations from the mean (Welford). */
  readonly sumSquares: number
}

export type DemandModel = SmoothingModel | MeanModel

/** Weights that are not fitted: the seasonal naive model copies last week, nothing else. */
const SEASONAL_NAIVE_PARAMETERS: SmoothingParameters = { alpha: 0, beta: 0, gamma: 1 }
/** The days whose errors the fit ignores: those the starting state was read from. */
const WARMUP: Readonly<Record<SmoothingKind, number>> = { HOLT_WINTERS: SEASON, SEASONAL_NAIVE: SEASON, SIMPLE_SMOOTHING: 1 }
/** Fitted weights, taken off the residual degrees of freedom. */
const FREE_PARAMETERS: Readonly<Record<SmoothingKind, number>> = { HOLT_WINTERS: 3, SEASONAL_NAIVE: 0, SIMPLE_SMOOTHING: 1 }

/** Fits `kind` on `history` (weights by least one-step squared error, then the state run through). */
export function fitModel(kind: ModelKind, history: DemandHistory): DemandModel {
  const { values } = history
  if (values.length < MINIMUM_DAYS[kind]) throw new RangeError(`${kind} needs ${MINIMUM_DAYS[kind]} days of history, got ${values.length}`)
  switch (kind) {
    case 'NONE':
      return { kind, count: 0, mean: 0, sumSquares: 0, ...fittedAt(history, NO_HISTORY_VARIANCE) }
    case 'MEAN': {
      const model = values.reduce((m, value, t) => observeMean(m, history.firstDay + t, Math.max(0, value)), emptyMean(history))
      return { ...model, ...fittedAt(history, oneStepVariance(model)) }
    }
    default:
      return smoothingModel(kind, history, fitParameters(kind, history))
  }
}

/** Runs a smoothing model with given weights over `history`: what `fitModel` does after fitting. */
export function smoothingModel(kind: SmoothingKind, history: DemandHistory, parameters: SmoothingParameters): SmoothingModel {
  const { values, firstDay } = history
  if (values.length < MINIMUM_DAYS[kind]) throw new RangeError(`${kind} needs ${MINIMUM_DAYS[kind]} days of history, got ${values.length}`)
  const run = runSmoothing(values, firstDay, initialComponents(kind, values, firstDay), parameters, WARMUP[kind])
  const model: SmoothingModel = { kind, parameters, ...run, ...fittedAt(history, 0) }
  return { ...model, recentSquaredError: oneStepVariance(model) }
}

function fitParameters(kind: SmoothingKind, history: DemandHistory): SmoothingParameters {
  if (kind === 'SEASONAL_NAIVE') return SEASONAL_NAIVE_PARAMETERS
  const { values, firstDay } = history
  const start = initialComponents(kind, values, firstDay)
  const sse = (parameters: SmoothingParameters) => runSmoothing(values, firstDay, start, parameters, WARMUP[kind]).residuals.sumSquares
  if (kind === 'SIMPLE_SMOOTHING') {
    const best = minimize(([alpha]) => sse({ alpha: alpha!, beta: 0, gamma: 0 }), {
      grid: [[0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9]],
      bounds: [[0.01, 0.99]],
    })
    return { alpha: best.point[0]!, beta: 0, gamma: 0 }
  }
  // β stays small: a trend weight that chases one week's noise forecasts nonsense a month out
  const best = minimize(([alpha, beta, gamma]) => sse({ alpha: alpha!, beta: beta!, gamma: gamma! }), {
    grid: [[0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 0.9], [0, 0.02, 0.08, 0.2], [0, 0.05, 0.15, 0.3, 0.5]],
    bounds: [[0.01, 0.99], [0, 0.3], [0, 0.99]],
  })
  const [alpha, beta, gamma] = best.point
  return { alpha: alpha!, beta: beta!, gamma: gamma! }
}

function initialComponents(kind: SmoothingKind, values: readonly number[], firstDay: number): SmoothingComponents {
  switch (kind) {
    case 'HOLT_WINTERS':
      return initialHoltWinters(values, firstDay)
    case 'SEASONAL_NAIVE':
      return initialSeasonalNaive(values, firstDay)
    case 'SIMPLE_SMOOTHING':
      return initialSmoothing(values)
  }
}

/**
 * The model after one more day, `model.through + 1`, without refitting: the weights stay, the
 * state and the residuals move on. Negative values (returns outweighing orders) count as 0.
 */
export function observe(model: DemandModel, day: number, value: number): DemandModel {
  if (day !== model.through + 1) throw new RangeError(`the model has seen days through ${model.through}; the next is ${model.through + 1}, got ${day}`)
  if (!Number.isFinite(value)) throw new RangeError(`a demand value must be finite, got ${value}`)
  const demand = Math.max(0, value)
  if (isMean(model)) return observeMean(model, day, demand)
  const { components, error } = stepSmoothing(model.components, model.parameters, day, demand)
  return {
    ...model,
    components,
    residuals: { count: model.residuals.count + 1, sumSquares: model.residuals.sumSquares + error * error },
    through: day,
    recentSquaredError: recent(model.recentSquaredError, error),
  }
}

/** Folds in every day after `model.through` up to `through`, as the series holds them. */
export function catchUp(model: DemandModel, series: DemandSeries, through: number): DemandModel {
  if (through <= model.through) return model
  const history = demandThrough(series, through)
  let current = model
  for (let day = model.through + 1; day <= through; day++) {
    current = observe(current, day, day < history.firstDay ? 0 : (history.values[day - history.firstDay] ?? 0))
  }
  return current
}

/**
 * The variance of a one-day-ahead error. Smoothing models: the mean squared one-step error since
 * the warm-up, per residual degree of freedom. The mean: the sample variance, but never below
 * the mean itself (unit demand is at least as spread as a Poisson count; a few equal days say
 * little about their spread).
 */
export function oneStepVariance(model: DemandModel): number {
  switch (model.kind) {
    case 'NONE':
      return NO_HISTORY_VARIANCE
    case 'MEAN':
      return Math.max(model.count > 1 ? model.sumSquares / (model.count - 1) : 0, model.mean)
    default: {
      const { count, sumSquares } = model.residuals
      const freedom = count - FREE_PARAMETERS[model.kind]
      if (freedom >= 1) return sumSquares / freedom
      return count > 0 ? sumSquares / count : NO_HISTORY_VARIANCE
    }
  }
}

/**
 * Whether to fit afresh on `day`: a week after the last fit, or sooner when the recent errors
 * have outgrown what the fit expected (a shift in demand the fixed weights follow too slowly).
 */
export function refitDue(model: DemandModel, day: number): boolean {
  if (day - model.fittedThrough >= REFIT_EVERY_DAYS) return true
  const variance = oneStepVariance(model)
  return variance > 0 ? model.recentSquaredError > DRIFT_RATIO * variance : model.recentSquaredError > 0
}

/** MEAN or NONE (`kind` alone narrows poorly: MeanModel answers to two kinds). */
export function isMean(model: DemandModel): model is MeanModel {
  return model.kind === 'MEAN' || model.kind === 'NONE'
}

function observeMean(model: MeanModel, day: number, value: number): MeanModel {
  const count = model.count + 1
  const delta = value - model.mean
  const mean = model.mean + delta / count
  const error = model.kind === 'NONE' ? 0 : delta
  return {
    ...model,
    kind: 'MEAN',
    count,
    mean,
    sumSquares: model.sumSquares + delta * (value - mean),
    through: day,
    recentSquaredError: model.kind === 'NONE' ? 0 : recent(model.recentSquaredError, error),
  }
}

function emptyMean(history: DemandHistory): MeanModel {
  const before = history.firstDay - 1
  return { kind: 'NONE', count: 0, mean: 0, sumSquares: 0, through: before, fittedThrough: before, recentSquaredError: 0 }
}

function fittedAt(history: DemandHistory, variance: number): FittedModel {
  const through = history.firstDay + history.values.length - 1
  return { through, fittedThrough: through, recentSquaredError: variance }
}

function recent(previous: number, error: number): number {
  return RECENT_WEIGHT * error * error + (1 - RECENT_WEIGHT) * previous
}
