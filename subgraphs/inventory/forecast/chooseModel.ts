import { absoluteError, mape, wape } from './accuracy.ts'
import { SEASON } from './holtWinters.ts'
import { forecast } from './forecast.ts'
import { fitModel, MINIMUM_DAYS, type DemandModel, type ModelKind } from './models.ts'
import { demandThrough, type DemandHistory, type DemandSeries } from './series.ts'

/** How a model did on the holdout. Errors are fractions (0.12 is 12 %), null when undefined. */
export interface HoldoutScore {
  readonly kind: ModelKind
  readonly days: number
  readonly mape: number | null
  readonly wape: number | null
  readonly absoluteError: number
}

export interface ModelChoice {
  /** The chosen kind, fitted again on the whole history so it is current through its last day. */
  readonly model: DemandModel
  /** The chosen kind's score; null when the history was too short to hold days out. */
  readonly holdout: HoldoutScore | null
  /** Every candidate's score, in the order tried. */
  readonly candidates: readonly HoldoutScore[]
}

/** Four weeks: long enough to see each weekday four times, short enough to be recent. */
export const MAX_HOLDOUT_DAYS = 28

/**
 * Candidates from the simplest: on equal holdout error the simpler model is kept, since it has
 * less to get wrong on the days to come.
 */
const CANDIDATES: readonly ModelKind[] = ['MEAN', 'SIMPLE_SMOOTHING', 'SEASONAL_NAIVE', 'HOLT_WINTERS']

/** The days held out of a history of `length` days: a quarter of it, 1 to 28; none under a week. */
export function holdoutDays(length: number): number {
  if (length < SEASON) return 0
  return Math.min(MAX_HOLDOUT_DAYS, Math.max(1, Math.floor(length / 4)))
}

/** `chooseModelFor` on the series' window ending on `through`. */
export function chooseModel(series: DemandSeries, through: number): ModelChoice {
  return chooseModelFor(demandThrough(series, through))
}

/**
 * Fits every candidate the history is long enough for on all but the holdout days, forecasts
 * the holdout, and keeps the kind with the least absolute error there (the same order as WAPE,
 * and defined when the holdout sold nothing). No history: NONE; under a week: MEAN.
 */
export function chooseModelFor(history: DemandHistory): ModelChoice {
  const { values, firstDay } = history
  if (values.length === 0) return { model: fitModel('NONE', history), holdout: null, candidates: [] }
  const days = holdoutDays(values.length)
  if (days === 0) return { model: fitModel('MEAN', history), holdout: null, candidates: [] }

  const training: DemandHistory = { firstDay, values: values.slice(0, values.length - days) }
  const actual = values.slice(values.length - days)
  const candidates = CANDIDATES.filter((kind) => training.values.length >= MINIMUM_DAYS[kind]).map((kind): HoldoutScore => {
    const predicted = forecast(fitModel(kind, training), days).map((point) => point.mean)
    return { kind, days, mape: mape(actual, predicted), wape: wape(actual, predicted), absoluteError: absoluteError(actual, predicted) }
  })
  const best = candidates.reduce((a, b) => (b.absoluteError < a.absoluteError ? b : a))
  return { model: fitModel(best.kind, history), holdout: best, candidates }
}
