import type { InventoryQuantityName } from '../generated/resolvers.ts'
import { DATE_FORMATS, type DateFormat } from './dates.ts'
import { FeedError } from './errors.ts'
import { CANONICAL_FIELDS, FEED_FIELDS, FEED_KINDS, type CanonicalField, type FeedKind } from './fields.ts'
import { QUANTITY_NAMES, SNAPSHOT_QUANTITY_NAMES, isSnapshotQuantityName } from './quantityNames.ts'
import type { UnitKind } from './units.ts'

export const MAPPING_VERSION = 1

/** How a column's cells become a canonical value: plain data, read by a `switch` in transforms.ts. */
export type Transform =
  /** An identifier (sku, reference, orderId, lot), trimmed; upper-cased when the partner writes ours in lower case. */
  | { readonly kind: 'text'; readonly upperCase: boolean }
  /** A location: our id as is, or a partner's code through the table (code → our location id). */
  | { readonly kind: 'location'; readonly codes: Readonly<Record<string, string>> }
  /**
   * A count in `unit`, into units: each × 1, dozen × 12, pack × the pack size (a fixed one, or a
   * column's per row). A unit written after a number (`3 cs`) wins over the column's.
   */
  | { readonly kind: 'quantity'; readonly unit: UnitKind; readonly packSize: number | null; readonly packSizeColumn: string | null; readonly decimalComma: boolean }
  /** A timestamp in `format`; one without an offset is wall-clock time at `utcOffsetMinutes`. */
  | { readonly kind: 'timestamp'; readonly format: DateFormat; readonly utcOffsetMinutes: number }
  /** A stock state as the partner writes it → ours. */
  | { readonly kind: 'quantityName'; readonly values: Readonly<Record<string, InventoryQuantityName>> }
  /** The same value on every row, with no column: the one warehouse a file is about, the one state it counts. */
  | { readonly kind: 'constant'; readonly value: string }

export interface FieldMapping {
  /** The column read, by header name; null with a constant. */
  readonly column: string | null
  readonly transform: Transform
  /** How sure the proposal was, in [0, 1]; kept for the reviewer, not used to apply. */
  readonly confidence: number
}

/** An approved (or proposed) mapping of one partner's files of one kind: JSON as it is stored. */
export interface FeedMapping {
  readonly version: typeof MAPPING_VERSION
  readonly kind: FeedKind
  readonly fields: Readonly<Partial<Record<CanonicalField, FieldMapping>>>
}

/** Which transforms each field takes. */
const TRANSFORMS: Readonly<Record<CanonicalField, readonly Transform['kind'][]>> = Object.freeze({
  sku: ['text'], locationId: ['location', 'constant'], quantity: ['quantity'], asOf: ['timestamp'], quantityName: ['quantityName', 'constant'],
  lot: ['text'], shippedAt: ['timestamp'], reference: ['text'], orderId: ['text'],
})

const UNITS: readonly UnitKind[] = ['each', 'dozen', 'pack', 'weight']
// UTC-14:00 .. UTC+14:00, the zones there are
const MAX_OFFSET_MINUTES = 14 * 60

type Json = { readonly [key: string]: unknown }
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)
const isStringRecord = (value: unknown, allowed?: readonly string[]): boolean =>
  isObject(value) && Object.values(value).every((v) => typeof v === 'string' && (allowed === undefined || allowed.includes(v)))

/**
 * A stored mapping read back: checks every part against this version and returns it typed, or
 * throws FEED_MAPPING_INVALID listing every problem found.
 */
export function readMapping(value: unknown): FeedMapping {
  const problems: string[] = []
  if (!isObject(value)) throw new FeedError('FEED_MAPPING_INVALID', 'a mapping is a JSON object', { problems: ['a mapping is a JSON object'] })
  if (value['version'] !== MAPPING_VERSION) problems.push(`version must be ${MAPPING_VERSION}, got ${JSON.stringify(value['version'])}`)
  const kind = value['kind']
  if (typeof kind !== 'string' || !(FEED_KINDS as readonly string[]).includes(kind)) problems.push(`kind must be one of ${FEED_KINDS.join(', ')}`)
  const fields = value['fields']
  if (!isObject(fields)) problems.push('fields must be an object')
  else {
    const allowed = FEED_FIELDS[kind as FeedKind]?.map((f) => f.field) ?? CANONICAL_FIELDS
    for (const [field, entry] of Object.entries(fields)) {
      if (!(allowed as readonly string[]).includes(field)) problems.push(`fields.${field} is not a field of ${String(kind)}`)
      else problems.push(...fieldProblems(field as CanonicalField, entry))
    }
  }
  if (problems.length > 0) throw new FeedError('FEED_MAPPING_INVALID', `the mapping is invalid: ${problems.join('; ')}`, { problems })
  return value as unknown as FeedMapping
}

function fieldProblems(field: CanonicalField, entry: unknown): string[] {
  const at = `fields.${field}`
  if (!isObject(entry)) return [`${at} must be an object`]
  const problems: string[] = []
  const { column, transform, confidence } = entry
  if (!(column === null || (typeof column === 'string' && column !== ''))) problems.push(`${at}.column must be a header name or null`)
  if (typeof confidence !== 'number' || !(confidence >= 0 && confidence <= 1)) problems.push(`${at}.confidence must be a number in [0, 1]`)
  if (!isObject(transform) || typeof transform['kind'] !== 'string' || !TRANSFORMS[field].includes(transform['kind'] as Transform['kind'])) {
    return [...problems, `${at}.transform.kind must be one of ${TRANSFORMS[field].join(', ')}`]
  }
  if ((transform['kind'] === 'constant') !== (column === null)) problems.push(`${at}: a constant has no column, and only a constant goes without one`)
  problems.push(...transformProblems(`${at}.transform`, transform))
  return problems
}

function transformProblems(at: string, t: Json): string[] {
  switch (t['kind']) {
    case 'text':
      return typeof t['upperCase'] === 'boolean' ? [] : [`${at}.upperCase must be a boolean`]
    case 'location':
      return isStringRecord(t['codes']) ? [] : [`${at}.codes must map partner codes to location ids`]
    case 'quantity': {
      const problems: string[] = []
      if (!UNITS.includes(t['unit'] as UnitKind)) problems.push(`${at}.unit must be one of ${UNITS.join(', ')}`)
      const packSize = t['packSize']
      if (!(packSize === null || (Number.isInteger(packSize) && (packSize as number) > 0))) problems.push(`${at}.packSize must be a positive integer or null`)
      const packSizeColumn = t['packSizeColumn']
      if (!(packSizeColumn === null || (typeof packSizeColumn === 'string' && packSizeColumn !== ''))) problems.push(`${at}.packSizeColumn must be a header name or null`)
      if (typeof t['decimalComma'] !== 'boolean') problems.push(`${at}.decimalComma must be a boolean`)
      return problems
    }
    case 'timestamp': {
      const problems: string[] = []
      if (!DATE_FORMATS.includes(t['format'] as DateFormat)) problems.push(`${at}.format must be one of ${DATE_FORMATS.join(', ')}`)
      const offset = t['utcOffsetMinutes']
      if (!(Number.isInteger(offset) && Math.abs(offset as number) <= MAX_OFFSET_MINUTES)) problems.push(`${at}.utcOffsetMinutes must be an integer within ±${MAX_OFFSET_MINUTES}`)
      return problems
    }
    case 'quantityName':
      return isStringRecord(t['values'], QUANTITY_NAMES) ? [] : [`${at}.values must map partner values to ${QUANTITY_NAMES.join(', ')}`]
    case 'constant':
      return typeof t['value'] === 'string' && t['value'] !== '' ? [] : [`${at}.value must be a non-empty string`]
    default:
      return [`${at}.kind is unknown`]
  }
}

/**
 * What keeps a well-formed mapping from applying to a file with these headers: a required field
 * unmapped, a column the file lacks, a count in cases with no pack size, a count by weight. Empty
 * when it applies.
 */
export function mappingProblems(mapping: FeedMapping, headers: readonly string[]): string[] {
  const problems: string[] = []
  for (const spec of FEED_FIELDS[mapping.kind]) {
    const entry = mapping.fields[spec.field]
    if (!entry) {
      if (spec.required) problems.push(`${spec.field} is required and not mapped`)
      continue
    }
    if (entry.column !== null && !headers.includes(entry.column)) problems.push(`${spec.field} reads column '${entry.column}', which the file does not have`)
    const t = entry.transform
    if (t.kind === 'quantity') {
      if (t.unit === 'weight') problems.push(`${spec.field} is counted by weight, which does not convert into units`)
      if (t.unit === 'pack' && t.packSize === null && t.packSizeColumn === null) problems.push(`${spec.field} is counted in packs: a pack size or a pack size column is needed`)
      if (t.packSizeColumn !== null && !headers.includes(t.packSizeColumn)) problems.push(`${spec.field} takes its pack size from column '${t.packSizeColumn}', which the file does not have`)
    }
    if (t.kind === 'constant' && spec.field === 'quantityName' && !isSnapshotQuantityName(t.value)) {
      problems.push(`a snapshot cannot set ${t.value}: its quantity name is one of ${SNAPSHOT_QUANTITY_NAMES.join(', ')}`)
    }
  }
  return problems
}
