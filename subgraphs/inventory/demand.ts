import { chooseModel, type HoldoutScore } from './forecast/chooseModel.ts'
import { dayOf } from './forecast/day.ts'
import { DEFAULT_COVERAGE, forecast, type ForecastPoint } from './forecast/forecast.ts'
import { catchUp, refitDue, type DemandModel, type ModelKind } from './forecast/models.ts'
import { emptySeries, recordDemandEvent, seriesFromJSON, type DemandEvent, type DemandSeries } from './forecast/series.ts'

/**
 * One SKU's demand at one location as stored: the series, the model carried forward on it, and
 * how the model did on its holdout when it was last chosen. Plain JSON, one row (store/demandStore.ts).
 *
 * The model folds in whole days only: an event on day D adds to D in the series, and the model is
 * carried through D − 1 (D is still running). A late event for a day the model has already folded
 * in (a cancellation booked on its order's day) corrects the series only; the next refit reads it.
 */
export interface DemandState {
  readonly series: DemandSeries
  readonly model: DemandModel
  readonly holdout: HoldoutScore | null
  /** The newest day an event was booked on (the day it occurred, not the day it counts on). */
  readonly lastObservedDay: number
}

const MODEL_KINDS: readonly ModelKind[] = ['HOLT_WINTERS', 'SEASONAL_NAIVE', 'SIMPLE_SMOOTHING', 'MEAN', 'NONE']

/** The UTC day of an instant (an event's occurredAt, the clock at the edge). */
export const dayOfInstant = (instant: Date | string): number => dayOf(new Date(instant).toISOString().slice(0, 10))

/** The state with `events` booked, `eventDay` being the day they occurred; null: none yet. */
export function bookDemand(state: DemandState | null, events: readonly DemandEvent[], eventDay: number): DemandState {
  const series = events.reduce(recordDemandEvent, state?.series ?? emptySeries())
  const lastObservedDay = Math.max(state?.lastObservedDay ?? eventDay, eventDay)
  const complete = lastObservedDay - 1
  if (state === null) return { series, lastObservedDay, ...choose(series, complete) }
  if (complete <= state.model.through) return { ...state, series, lastObservedDay }
  const model = carryForward(state.model, series, complete)
  if (model === null || refitDue(model, complete)) return { series, lastObservedDay, ...choose(series, complete) }
  return { series, lastObservedDay, model, holdout: state.holdout }
}

/** What `DemandForecast` answers: the model, its holdout score and the daily points. */
export interface DemandOutlook {
  readonly model: DemandModel
  readonly holdout: HoldoutScore | null
  readonly coverage: number
  readonly points: readonly ForecastPoint[]
}

/**
 * The next `days` days from `today` (or from the day after the model's last, when events are
 * dated later than the clock). The stored model is carried through yesterday on the fly, days
 * without events being zeros; nothing is written. No state: the NONE model, which says so.
 */
export function outlook(state: DemandState | null, today: number, days: number): DemandOutlook {
  const through = today - 1
  const series = state?.series ?? emptySeries()
  const current = state === null ? null : carryForward(state.model, series, through)
  const { model, holdout } = current === null ? choose(series, through) : { model: current, holdout: state?.holdout ?? null }
  return { model, holdout, coverage: DEFAULT_COVERAGE, points: forecast(model, days, DEFAULT_COVERAGE) }
}

/** A stored row read back; a RangeError names what is wrong (the row is written by `bookDemand` only). */
export function demandStateOf(row: { series: unknown; model: unknown; holdout: unknown; lastObservedDay: number }): DemandState {
  const model = row.model as DemandModel | null
  if (typeof model !== 'object' || model === null || !MODEL_KINDS.includes(model.kind) || !Number.isSafeInteger(model.through)) {
    throw new RangeError('a stored demand model needs a kind and an integer through day')
  }
  return { series: seriesFromJSON(row.series), model, holdout: (row.holdout ?? null) as HoldoutScore | null, lastObservedDay: row.lastObservedDay }
}

/**
 * The model folded forward through `through`; null when the gap is longer than the series'
 * window (every day it would fold in has dropped off: fitting afresh is cheaper and no worse).
 */
function carryForward(model: DemandModel, series: DemandSeries, through: number): DemandModel | null {
  if (through - model.through > series.capacity) return null
  return catchUp(model, series, through)
}

function choose(series: DemandSeries, through: number): { model: DemandModel; holdout: HoldoutScore | null } {
  const { model, holdout } = chooseModel(series, through)
  return { model, holdout }
}
