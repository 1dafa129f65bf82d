import { assertDay } from './day.ts'

/**
 * The daily net demand of one SKU at one location, built one event at a time. It is plain data
 * (JSON-safe) so it can be stored as one row per SKU and location and read back with
 * `seriesFromJSON`. Functions here return a new series and never change the one they are given.
 */
export interface DemandSeries {
  /** The day of `values[0]`; meaningless while `values` is empty. */
  readonly start: number
  /** Net units per day from `start` on, oldest first; a day without events is 0. */
  readonly values: readonly number[]
  /** How many days are kept: a day older than the newest day minus this drops off. */
  readonly capacity: number
}

/** 52 weeks: a whole number of seasons, and enough for a yearly look back without a yearly model. */
export const DEFAULT_HISTORY_DAYS = 364

/** What moves demand: an order adds its units, a return or a cancellation takes them back. */
export type DemandEventKind = 'ORDER' | 'RETURN' | 'CANCELLATION'

export interface DemandEvent {
  readonly kind: DemandEventKind
  /** The day the units count on (see `recordDemandEvent`). */
  readonly day: number
  /** Units, positive. */
  readonly quantity: number
}

export function emptySeries(capacity = DEFAULT_HISTORY_DAYS): DemandSeries {
  if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`)
  return { start: 0, values: [], capacity }
}

/** The newest day held, or null for an empty series. */
export function lastDay(series: DemandSeries): number | null {
  return series.values.length === 0 ? null : series.start + series.values.length - 1
}

/**
 * Adds `quantity` (negative to take units back) to `day`. Days between the newest held and `day`
 * become zeros; a day older than the window is dropped, since no model reads it any more.
 * Redelivered events are the caller's to recognise: adding is not idempotent.
 */
export function addDemand(series: DemandSeries, day: number, quantity: number): DemandSeries {
  assertDay(day)
  if (!Number.isFinite(quantity)) throw new RangeError(`quantity must be a finite number, got ${quantity}`)
  const end = lastDay(series)
  if (end === null) return { ...series, start: day, values: [quantity] }
  if (day > end) return addDemand(extendTo(series, day), day, quantity)
  if (day <= end - series.capacity) return series
  if (day < series.start) {
    const values = [quantity, ...zeros(series.start - day - 1), ...series.values]
    return { ...series, start: day, values }
  }
  const values = [...series.values]
  values[day - series.start] = (values[day - series.start] ?? 0) + quantity
  return { ...series, values }
}

/**
 * An order adds its units; a return or a cancellation subtracts them. The caller picks the day:
 * a cancellation is best booked on the day of the order it cancels (that demand never was), a
 * return on the day it comes back.
 */
export function recordDemandEvent(series: DemandSeries, event: DemandEvent): DemandSeries {
  if (!(event.quantity > 0)) throw new RangeError(`a demand event's quantity must be positive, got ${event.quantity}`)
  return addDemand(series, event.day, event.kind === 'ORDER' ? event.quantity : -event.quantity)
}

/**
 * The series with zeros up to `day`: days pass without events, and the window must move on with
 * them (a SKU that stopped selling has a run of zeros, not a frozen past).
 */
export function extendTo(series: DemandSeries, day: number): DemandSeries {
  assertDay(day)
  const end = lastDay(series)
  if (end === null || day <= end) return series
  // a gap longer than the window replaces it whole, without building the days that drop off
  if (day - end >= series.capacity) return { ...series, start: day - series.capacity + 1, values: zeros(series.capacity) }
  return trimmed({ ...series, values: [...series.values, ...zeros(day - end)] })
}

/** What the models read: consecutive days up to `through`, oldest first. */
export interface DemandHistory {
  /** The day of `values[0]` (or `through + 1` when there is none). */
  readonly firstDay: number
  readonly values: readonly number[]
}

/**
 * The window of `capacity` days ending on `through` (or fewer, from the first event on). Days
 * after the newest event are zeros, and a day whose returns outweigh its orders reads 0: the
 * models forecast demand, which is never negative, while the series keeps the net so a late
 * order on that day still adds up.
 */
export function demandThrough(series: DemandSeries, through: number): DemandHistory {
  assertDay(through, 'through')
  const end = lastDay(series)
  if (end === null || through < series.start) return { firstDay: through + 1, values: [] }
  const firstDay = Math.max(series.start, through - series.capacity + 1)
  const values: number[] = []
  for (let day = firstDay; day <= through; day++) {
    values.push(day <= end ? Math.max(0, series.values[day - series.start] ?? 0) : 0)
  }
  return { firstDay, values }
}

/** A stored series read back, checked: a RangeError names what is wrong. */
export function seriesFromJSON(value: unknown): DemandSeries {
  if (typeof value !== 'object' || value === null) throw new RangeError('a demand series must be an object')
  const { start, values, capacity } = value as Record<string, unknown>
  if (!Number.isSafeInteger(start)) throw new RangeError('a demand series needs an integer start day')
  if (!Number.isSafeInteger(capacity) || (capacity as number) < 1) throw new RangeError('a demand series needs a positive integer capacity')
  if (!Array.isArray(values) || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new RangeError('a demand series needs finite numeric values')
  }
  if (values.length > (capacity as number)) throw new RangeError('a demand series holds more days than its capacity')
  return { start: start as number, values: values as number[], capacity: capacity as number }
}

function trimmed(series: DemandSeries): DemandSeries {
  const excess = series.values.length - series.capacity
  if (excess <= 0) return series
  return { ...series, start: series.start + excess, values: series.values.slice(excess) }
}

function zeros(count: number): number[] {
  return new Array<number>(count).fill(0)
}
