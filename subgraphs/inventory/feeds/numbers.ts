import type { Cell } from './feed.ts'

const PLAIN = /^\d+(\.\d+)?$/
const THOUSANDS = /^\d{1,3}(,\d{3})+(\.\d+)?$/
const PLAIN_COMMA = /^\d+(,\d+)?$/
const THOUSANDS_DOT = /^\d{1,3}(\.\d{3})+(,\d+)?$/
const WITH_UNIT = /^([+-]?)(\d[\d.,]*)\s*([A-Za-z]+\.?)?$/

/**
 * A decimal written with a point (`1234.5`, `1,234.5`), or with `decimalComma` the European way
 * (`1234,5`, `1.234,5`); null for anything else. The sign is the caller's.
 */
export function readDecimal(text: string, decimalComma: boolean): number | null {
  if (decimalComma) {
    if (PLAIN_COMMA.test(text)) return Number(text.replace(',', '.'))
    if (THOUSANDS_DOT.test(text)) return Number(text.replace(/\./g, '').replace(',', '.'))
    return null
  }
  if (PLAIN.test(text)) return Number(text)
  if (THOUSANDS.test(text)) return Number(text.replace(/,/g, ''))
  return null
}

/** A number with the word written after it, if any: `12`, `-3`, `2,5 cs`, `12pcs`. */
export interface NumberWithUnit {
  readonly value: number
  readonly unit: string | null
}

/** A cell as a number with an optional trailing word (a unit, for the caller to judge); null if it is not one. */
export function readNumberWithUnit(cell: Cell, decimalComma: boolean): NumberWithUnit | null {
  if (typeof cell === 'number') return Number.isFinite(cell) ? { value: cell, unit: null } : null
  if (typeof cell !== 'string') return null
  const m = WITH_UNIT.exec(cell)
  if (!m) return null
  const magnitude = readDecimal(m[2]!, decimalComma)
  if (magnitude === null) return null
  return { value: m[1] === '-' ? -magnitude : magnitude, unit: m[3] ? m[3].replace(/\.$/, '').toLowerCase() : null }
}

/**
 * Whether a column writes decimals with a comma: some value reads only that way (`2,5`, `0,75`,
 * `1,2345`) and none has a decimal point. `1,500` alone is read as thousands.
 */
export function usesDecimalComma(texts: readonly string[]): boolean {
  const numeric = texts.map((t) => /^[+-]?(\d[\d.,]*)/.exec(t)?.[1]).filter((t): t is string => t !== undefined)
  const commaOnly = numeric.some((t) => /^\d+,\d+$/.test(t) && !/^\d{1,3},\d{3}$/.test(t))
  const point = numeric.some((t) => /^\d+\.\d+$/.test(t) && !/^\d{1,3}\.\d{3}$/.test(t))
  return commaOnly && !point
}
