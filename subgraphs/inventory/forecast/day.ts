/**
 * Days as integers: the number of days since 1970-01-01 (UTC). The forecasting code counts,
 * subtracts and buckets days and never reads a clock; callers turn their dates into days at the
 * edge, so the same inputs give the same answer on every machine and in every time zone.
 */
const MS_PER_DAY = 86_400_000
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** The day of an ISO calendar date (`2025-03-10`); a RangeError for anything else. */
export function dayOf(isoDate: string): number {
  const match = ISO_DATE.exec(isoDate)
  if (!match) throw new RangeError(`'${isoDate}' is not an ISO date (YYYY-MM-DD)`)
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const ms = Date.UTC(year, month - 1, date)
  // Date.UTC rolls 2025-02-30 over to March: a date that does not come back the same is not a date
  if (isoDateOf(ms / MS_PER_DAY) !== isoDate) throw new RangeError(`'${isoDate}' is not a calendar date`)
  return ms / MS_PER_DAY
}

/** The ISO calendar date of a day. */
export function isoDateOf(day: number): string {
  assertDay(day)
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10)
}

/**
 * The slot of a day in the weekly season, 0..6 (0 is a Thursday, as 1970-01-01 was). Seasonal
 * state is kept by slot rather than by position in a series, so a state carried forward day by
 * day and one fitted afresh agree on which value belongs to which weekday.
 */
export function weekSlot(day: number): number {
  return ((day % 7) + 7) % 7
}

export function assertDay(day: number, name = 'day'): void {
  if (!Number.isSafeInteger(day)) throw new RangeError(`${name} must be an integer day, got ${day}`)
}
