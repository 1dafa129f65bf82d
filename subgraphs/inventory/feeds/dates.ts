import type { Cell } from './feed.ts'

/**
 * How a partner writes timestamps. `DD/MM/YYYY` and `MM/DD/YYYY` also accept `.` and `-` as
 * separators, a two-digit year (20xx) and a time `HH:MM[:SS]`; ISO is ISO 8601 / RFC 3339
 * (https://www.rfc-editor.org/rfc/rfc3339), date only or with a time, `T` or a space between.
 */
export const DATE_FORMATS = ['ISO', 'DD/MM/YYYY', 'MM/DD/YYYY', 'EPOCH_SECONDS', 'EPOCH_MILLIS'] as const
export type DateFormat = (typeof DATE_FORMATS)[number]

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i
const DAY_MONTH = /^(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/
// 2001-09-09 .. 2099-12-30: wide enough for any feed, narrow enough not to take quantities or ids for times
const EPOCH_SECONDS_MIN = 1e9
const EPOCH_SECONDS_MAX = 4.1e9

/** A wall-clock time read from a cell; `zoned` when the cell itself said its offset. */
interface WallTime { readonly ms: number; readonly zoned: boolean; readonly hasTime: boolean }

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms)
  // Date.UTC rolls 31/04 over into May: a date that does not come back the same does not exist
  const back = new Date(t)
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? t : null
}

function readIso(text: string): WallTime | null {
  const m = ISO.exec(text)
  if (!m) return null
  const fraction = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0
  const t = utc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), fraction)
  if (t === null) return null
  const zone = m[8]
  if (!zone || zone.toUpperCase() === 'Z') return { ms: t, zoned: zone !== undefined, hasTime: m[4] !== undefined }
  const digits = zone.replace(':', '')
  const offset = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * (digits[0] === '-' ? -1 : 1)
  return { ms: t - offset * 60_000, zoned: true, hasTime: true }
}

function readDayMonth(text: string, dayFirst: boolean): WallTime | null {
  const m = DAY_MONTH.exec(text)
  if (!m) return null
  const first = Number(m[1])
  const second = Number(m[3])
  const year = m[4]!.length === 2 ? 2000 + Number(m[4]) : Number(m[4])
  const [day, month] = dayFirst ? [first, second] : [second, first]
  const t = utc(year, month, day, Number(m[5] ?? 0), Number(m[6] ?? 0), Number(m[7] ?? 0), 0)
  return t === null ? null : { ms: t, zoned: false, hasTime: m[5] !== undefined }
}

function readEpoch(cell: Cell, millis: boolean): WallTime | null {
  const n = typeof cell === 'number' ? cell : typeof cell === 'string' && /^\d+(\.\d+)?$/.test(cell) ? Number(cell) : NaN
  const seconds = millis ? n / 1000 : n
  if (!(seconds >= EPOCH_SECONDS_MIN && seconds < EPOCH_SECONDS_MAX)) return null
  if (millis && !Number.isInteger(n)) return null
  return { ms: Math.round(seconds * 1000), zoned: true, hasTime: true }
}

function readAs(cell: Cell, format: DateFormat): WallTime | null {
  if (format === 'EPOCH_SECONDS') return readEpoch(cell, false)
  if (format === 'EPOCH_MILLIS') return readEpoch(cell, true)
  if (typeof cell !== 'string') return null
  if (format === 'ISO') return readIso(cell)
  return readDayMonth(cell, format === 'DD/MM/YYYY')
}

/**
 * A cell read as a timestamp in `format`, as epoch milliseconds; null when it is not one. A time
 * without an offset is wall-clock time at `utcOffsetMinutes` (the partner's zone, from the mapping).
 */
export function readTimestamp(cell: Cell, format: DateFormat, utcOffsetMinutes: number): number | null {
  const wall = readAs(cell, format)
  if (wall === null) return null
  return wall.zoned ? wall.ms : wall.ms - utcOffsetMinutes * 60_000
}

export interface DateDetection {
  readonly format: DateFormat
  /** Share of the non-null cells that read in this format. */
  readonly share: number
  /** Some cell carries a time of day (every epoch does). */
  readonly hasTime: boolean
  /** Day-first and month-first read every cell alike (no part above 12): the format is a guess. */
  readonly ambiguous: boolean
}

/**
 * The format most of `cells` read in. `DD/MM/YYYY` against `MM/DD/YYYY` is settled by a part
 * above 12 (`25/03/2026` is day-first); when no part is, day-first is assumed and the detection
 * says it is ambiguous. Null for no cells or no format.
 */
export function detectDateFormat(cells: readonly Cell[]): DateDetection | null {
  const present = cells.filter((c) => c !== null)
  if (present.length === 0) return null
  let best: DateDetection | null = null
  for (const format of DATE_FORMATS) {
    const read = present.map((cell) => readAs(cell, format)).filter((w): w is WallTime => w !== null)
    if (read.length === 0) continue
    const share = read.length / present.length
    if (best === null || share > best.share) best = { format, share, hasTime: read.some((w) => w.hasTime), ambiguous: false }
  }
  if (best === null || (best.format !== 'DD/MM/YYYY' && best.format !== 'MM/DD/YYYY')) return best
  const dayFirst = present.filter((c) => readAs(c, 'DD/MM/YYYY') !== null).length
  const monthFirst = present.filter((c) => readAs(c, 'MM/DD/YYYY') !== null).length
  if (dayFirst === monthFirst) return { ...best, format: 'DD/MM/YYYY', ambiguous: true }
  return best
}
