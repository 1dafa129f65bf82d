import type { InventoryQuantityName } from '../generated/resolvers.ts'
import { readTimestamp } from './dates.ts'
import { cellText, type Cell } from './feed.ts'
import type { FieldMapping } from './mapping.ts'
import { readNumberWithUnit } from './numbers.ts'
import { QUANTITY_NAMES } from './quantityNames.ts'
import type { RowErrorCode } from './rowErrors.ts'
import { UNIT_FACTOR, unitOfWord } from './units.ts'

/** A cell read through a field's transform: its canonical value, or why it has none. */
export type FieldRead<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: RowErrorCode; readonly reason: string }

const ok = <T>(value: T): FieldRead<T> => ({ ok: true, value })
const fail = (code: RowErrorCode, reason: string): FieldRead<never> => ({ ok: false, code, reason })

// the ledger's quantities are 32-bit integers
const MAX_QUANTITY = 2 ** 31 - 1

/** One row's cells by column name. */
export type CellOf = (column: string) => Cell

/**
 * A field of one row as text: an identifier, a location (through the partner's codes), a stock
 * state (through the mapping's values, or our own names), or the mapping's constant.
 */
export function readText(entry: FieldMapping, cellOf: CellOf): FieldRead<string> {
  const t = entry.transform
  if (t.kind === 'constant') return ok(t.value)
  const cell = entry.column === null ? null : cellOf(entry.column)
  if (cell === null) return fail('MISSING_VALUE', `'${entry.column}' is empty`)
  const text = cellText(cell).trim()
  switch (t.kind) {
    case 'text':
      return ok(t.upperCase ? text.toUpperCase() : text)
    case 'location':
      return ok(t.codes[text] ?? text)
    case 'quantityName': {
      const name = t.values[text] ?? (QUANTITY_NAMES as readonly string[]).find((n) => n === text.toUpperCase())
      return name ? ok(name) : fail('INVALID_QUANTITY_NAME', `'${text}' is not a stock state the mapping knows`)
    }
    default:
      return fail('MISSING_VALUE', `'${entry.column}' is not read as text`)
  }
}

/** A stock state, as readText reads it, checked against our names. */
export function readQuantityName(entry: FieldMapping, cellOf: CellOf): FieldRead<InventoryQuantityName> {
  const read = readText(entry, cellOf)
  if (!read.ok) return read
  const name = (QUANTITY_NAMES as readonly string[]).includes(read.value) ? (read.value as InventoryQuantityName) : null
  return name ? ok(name) : fail('INVALID_QUANTITY_NAME', `'${read.value}' is not a stock state`)
}

/**
 * A count as units: the number times its unit's factor (a unit written after the number wins
 * over the column's), a pack size from the mapping or from a column of the same row. It must come
 * out a whole, non-negative number of units.
 */
export function readUnits(entry: FieldMapping, cellOf: CellOf): FieldRead<number> {
  const t = entry.transform
  if (t.kind !== 'quantity' || entry.column === null) return fail('INVALID_QUANTITY', 'the mapping does not read a quantity')
  const cell = cellOf(entry.column)
  if (cell === null) return fail('MISSING_VALUE', `'${entry.column}' is empty`)
  const number = readNumberWithUnit(cell, t.decimalComma)
  if (number === null) return fail('INVALID_QUANTITY', `'${cellText(cell)}' is not a number`)
  const unit = number.unit === null ? t.unit : unitOfWord(number.unit)
  if (unit === null) return fail('INVALID_QUANTITY', `'${number.unit}' in '${cellText(cell)}' is not a unit we convert`)
  let factor = UNIT_FACTOR[unit]
  if (unit === 'pack') {
    if (t.packSizeColumn !== null) {
      const size = readNumberWithUnit(cellOf(t.packSizeColumn), false)
      if (size === null || size.unit !== null || !Number.isInteger(size.value) || size.value < 1) {
        return fail('INVALID_QUANTITY', `the pack size in '${t.packSizeColumn}' (${JSON.stringify(cellText(cellOf(t.packSizeColumn)))}) is not a positive whole number`)
      }
      factor = size.value
    } else factor = t.packSize
    if (factor === null) return fail('INVALID_QUANTITY', 'counted in packs, and the mapping gives no pack size')
  }
  if (factor === null) return fail('INVALID_QUANTITY', `'${cellText(cell)}' is counted by weight, which does not convert into units`)
  const units = number.value * factor
  const whole = Math.round(units)
  // 2.5 cases of 12 is 30 units exactly; floating point may say 29.999999999999996
  if (Math.abs(units - whole) > 1e-9) return fail('INVALID_QUANTITY', `'${cellText(cell)}' makes ${Number(units.toFixed(6))} units (× ${factor}), not a whole number`)
  if (whole < 0) return fail('INVALID_QUANTITY', `'${cellText(cell)}' is negative`)
  if (whole > MAX_QUANTITY) return fail('INVALID_QUANTITY', `'${cellText(cell)}' is over the largest quantity (${MAX_QUANTITY} units)`)
  return ok(whole)
}

/** A timestamp as an RFC 3339 string in UTC. */
export function readTime(entry: FieldMapping, cellOf: CellOf): FieldRead<string> {
  const t = entry.transform
  if (t.kind !== 'timestamp' || entry.column === null) return fail('INVALID_DATE', 'the mapping does not read a timestamp')
  const cell = cellOf(entry.column)
  if (cell === null) return fail('MISSING_VALUE', `'${entry.column}' is empty`)
  const ms = readTimestamp(cell, t.format, t.utcOffsetMinutes)
  if (ms === null) return fail('INVALID_DATE', `'${cellText(cell)}' is not a ${t.format} timestamp`)
  return ok(new Date(ms).toISOString())
}
