import { detectDateFormat, type DateDetection } from './dates.ts'
import { cellText, type Cell, type CsvDelimiter, type ParsedFeed } from './feed.ts'
import { headerTokens } from './names.ts'
import { readNumberWithUnit, usesDecimalComma } from './numbers.ts'
import { OUR_LOCATION_ID, OUR_ORDER_ID, OUR_SKU, isGtin, shapeOf } from './shapes.ts'
import { UNIT_FACTOR, unitOfWord, type UnitKind } from './units.ts'

export type ColumnType = 'empty' | 'boolean' | 'integer' | 'decimal' | 'date' | 'datetime' | 'code' | 'text'

/** What a quantity column is counted in, and what it takes to turn it into units. */
export interface UnitHint {
  readonly unit: UnitKind
  /** The word as the partner wrote it (`cases`, `pcs`). */
  readonly word: string
  readonly source: 'header' | 'values'
  /** Units per one of it; null when it cannot say. */
  readonly factor: number | null
  /** What staff must give before it converts: a pack size (cases, cartons), a unit weight (kg). */
  readonly needs: 'packSize' | 'unitWeight' | null
}

/** Shares of the column's non-null values that look like one of our identifiers, or share a shape. */
export interface ColumnPatterns {
  /** Our SKU shape, case aside. */
  readonly ourSku: number
  /** Some SKU-shaped value is not in upper case (the mapping then upper-cases them). */
  readonly lowerCaseSkus: boolean
  readonly locationId: number
  readonly orderId: number
  readonly gtin: number
  /**
   * The shape (shapes.ts) ≥ 90 % of a code or text column's values share, when it mixes letters
   * with digits or marks; else null (dates and numbers all share theirs, which tells nothing).
   */
  readonly shape: string | null
  readonly shapeShare: number
}

export interface ColumnProfile {
  readonly name: string
  readonly index: number
  /** The header as words (names.ts), what name matching reads. */
  readonly tokens: readonly string[]
  readonly type: ColumnType
  /** Share of the non-null values that are of `type`. */
  readonly typeShare: number
  readonly nullShare: number
  readonly distinctCount: number
  /** Up to five distinct values, as text, in order of appearance. */
  readonly samples: readonly string[]
  readonly date: DateDetection | null
  /** Present when most values are numbers (a unit after them allowed). */
  readonly numbers: { readonly min: number; readonly max: number; readonly integerShare: number; readonly negativeShare: number; readonly decimalComma: boolean } | null
  readonly patterns: ColumnPatterns
  readonly unit: UnitHint | null
}

export interface FeedProfile {
  readonly format: ParsedFeed['format']
  readonly delimiter: CsvDelimiter | null
  readonly rowCount: number
  /** Rows the profile looked at: the first ones, up to the limit, malformed ones left out. */
  readonly profiledRows: number
  readonly columns: readonly ColumnProfile[]
}

/** A type holds for a column when this share of its values have it: one bad row does not change a column's type. */
const TYPE_SHARE = 0.9
const SAMPLES = 5
const MAX_CODE_LENGTH = 64
const BOOLEAN = /^(true|false|yes|no|y|n)$/i

/**
 * What each column of a feed holds: its type, how full and varied it is, the identifier shapes and
 * units it shows. Reads at most `maxRows` rows (the first ones), so profiling stays cheap on big
 * files; the result is plain data, the same for the same feed.
 */
export function profileFeed(feed: ParsedFeed, options: { maxRows?: number } = {}): FeedProfile {
  const rows = feed.rows.filter((r) => r.problem === null).slice(0, options.maxRows ?? 10_000)
  const columns = feed.headers.map((name, index) => profileColumn(name, index, rows.map((r) => r.cells[index] ?? null)))
  return { format: feed.format, delimiter: feed.delimiter, rowCount: feed.rows.length, profiledRows: rows.length, columns }
}

function profileColumn(name: string, index: number, cells: readonly Cell[]): ColumnProfile {
  const present = cells.filter((c): c is Exclude<Cell, null> => c !== null)
  const texts = present.map(cellText)
  const distinct = [...new Set(texts)]
  const tokens = headerTokens(name)
  const decimalComma = usesDecimalComma(texts.filter((t) => /^[+-]?\d/.test(t)))
  // a leading zero marks an identifier (item 00417, zip 02134), not a number
  const numbers = present
    .map((cell) => (typeof cell === 'string' && /^0\d/.test(cell) ? null : readNumberWithUnit(cell, decimalComma)))
    .filter((n) => n !== null && (n.unit === null || unitOfWord(n.unit) !== null))
    .map((n) => n!)
  const patterns = patternsOf(texts)
  // 13 digits with a valid check digit are barcodes, though they read as epoch milliseconds too
  const date = patterns.gtin >= TYPE_SHARE ? null : detectDateFormat(present)
  const share = (count: number) => (present.length === 0 ? 0 : count / present.length)
  const integerShare = share(numbers.filter((n) => Number.isInteger(n.value)).length)
  const numberShare = share(numbers.length)
  const booleanShare = share(present.filter((c) => typeof c === 'boolean' || (typeof c === 'string' && BOOLEAN.test(c))).length)
  const codeShare = share(texts.filter((t) => t.length <= MAX_CODE_LENGTH && !/\s/.test(t)).length)
  const [type, typeShare] = ((): [ColumnType, number] => {
    if (present.length === 0) return ['empty', 0]
    if (date && date.share >= TYPE_SHARE) return [date.hasTime ? 'datetime' : 'date', date.share]
    if (booleanShare >= TYPE_SHARE) return ['boolean', booleanShare]
    if (integerShare >= TYPE_SHARE) return ['integer', integerShare]
    if (numberShare >= TYPE_SHARE) return ['decimal', numberShare]
    if (codeShare >= TYPE_SHARE) return ['code', codeShare]
    return ['text', share(texts.length)]
  })()
  const values = numbers.map((n) => n.value)
  return {
    name,
    index,
    tokens,
    type,
    typeShare,
    nullShare: cells.length === 0 ? 1 : 1 - present.length / cells.length,
    distinctCount: distinct.length,
    samples: distinct.slice(0, SAMPLES),
    date,
    numbers: numberShare >= TYPE_SHARE
      ? { min: values.reduce((a, b) => Math.min(a, b)), max: values.reduce((a, b) => Math.max(a, b)), integerShare, negativeShare: share(values.filter((v) => v < 0).length), decimalComma }
      : null,
    patterns: type === 'code' || type === 'text' ? patterns : { ...patterns, shape: null, shapeShare: 0 },
    unit: unitFromValues(numbers.map((n) => n.unit)) ?? unitFromHeader(tokens),
  }
}

function patternsOf(texts: readonly string[]): ColumnPatterns {
  const share = (count: number) => (texts.length === 0 ? 0 : count / texts.length)
  const skuShaped = texts.filter((t) => OUR_SKU.test(t.toUpperCase()))
  const shapes = new Map<string, number>()
  for (const text of texts) {
    const shape = shapeOf(text)
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1)
  }
  const [shape, count] = [...shapes].reduce<[string | null, number]>((best, entry) => (entry[1] > best[1] ? entry : best), [null, 0])
  // a shape of letters alone or digits alone says nothing an identifier's type does not
  const telling = shape !== null && shape !== 'A' && shape !== '9' && share(count) >= TYPE_SHARE
  return {
    ourSku: share(skuShaped.length),
    lowerCaseSkus: skuShaped.some((t) => t !== t.toUpperCase()),
    locationId: share(texts.filter((t) => OUR_LOCATION_ID.test(t)).length),
    orderId: share(texts.filter((t) => OUR_ORDER_ID.test(t)).length),
    gtin: share(texts.filter(isGtin).length),
    shape: telling ? shape : null,
    shapeShare: telling ? share(count) : 0,
  }
}

function hint(unit: UnitKind, word: string, source: UnitHint['source']): UnitHint {
  return { unit, word, source, factor: UNIT_FACTOR[unit], needs: unit === 'pack' ? 'packSize' : unit === 'weight' ? 'unitWeight' : null }
}

/** The unit most values are written with (`12 pcs`, `3 cs`), when at least half of them carry one. */
function unitFromValues(words: readonly (string | null)[]): UnitHint | null {
  const counts = new Map<string, number>()
  for (const word of words) if (word !== null) counts.set(word, (counts.get(word) ?? 0) + 1)
  const [word, count] = [...counts].reduce<[string | null, number]>((best, entry) => (entry[1] > best[1] ? entry : best), [null, 0])
  const unit = word === null ? null : unitOfWord(word)
  return unit !== null && word !== null && count * 2 >= words.length ? hint(unit, word, 'values') : null
}

/** A unit named in the header: `Qty (cases)`, `qty_each`, `Stock kg`. */
function unitFromHeader(tokens: readonly string[]): UnitHint | null {
  for (const token of tokens) {
    const unit = unitOfWord(token)
    if (unit !== null) return hint(unit, token, 'header')
  }
  return null
}
