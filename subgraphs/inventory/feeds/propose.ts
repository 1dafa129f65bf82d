import type { InventoryQuantityName } from '../generated/resolvers.ts'
import { assignMaximum } from './assign.ts'
import { FEED_FIELDS, PACK_SIZE_PHRASES, type CanonicalField, type FeedKind, type FieldSpec } from './fields.ts'
import { MAPPING_VERSION, mappingProblems, type FeedMapping, type FieldMapping, type Transform } from './mapping.ts'
import { phraseScore } from './nameMatch.ts'
import { headerTokens } from './names.ts'
import type { ColumnProfile, FeedProfile } from './profile.ts'
import { quantityNameInTokens, quantityNameOf } from './quantityNames.ts'
import { OUR_LOCATION_ID } from './shapes.ts'

/** What we already know that makes values telling: our SKUs and locations, this partner's location codes. */
export interface KnownValues {
  readonly skus?: ReadonlySet<string>
  readonly locationIds?: ReadonlySet<string>
  /** The partner's location codes → our location ids, from an earlier approved mapping. */
  readonly locationCodes?: Readonly<Record<string, string>>
}

export interface FieldCandidate {
  readonly column: string
  readonly confidence: number
}

/** Something a reviewer must look at, or fill in, before the mapping is approved. */
export interface ReviewNote {
  readonly field: CanonicalField
  readonly reason: string
  /** The mapping cannot apply until a reviewer acts (fills in a pack size, a location, a column). */
  readonly blocking: boolean
}

export interface MappingProposal {
  readonly mapping: FeedMapping
  /** The weakest required field's confidence; 0 while a required field is unmapped. */
  readonly confidence: number
  readonly unmappedRequired: readonly CanonicalField[]
  /** The mapping applies as proposed: nothing required is missing and no transform waits for input. */
  readonly ready: boolean
  readonly review: readonly ReviewNote[]
  /** Per field, the best columns (up to three), for a reviewer who picks another. */
  readonly candidates: Readonly<Partial<Record<CanonicalField, readonly FieldCandidate[]>>>
}

/** Below this a column is not proposed for a field at all. */
export const MIN_CONFIDENCE = 0.35
/** At or above this a field's column needs no second look (the review UI's threshold). */
export const CONFIDENT = 0.75

// the name says what a partner meant; values and type confirm it, or veto it through `fit`
const NAME_WEIGHT = 0.6
const VALUE_WEIGHT = 0.4
// optional fields give way to required ones on equal evidence
const OPTIONAL_PRIORITY = 0.9

const round = (x: number) => Math.round(x * 100) / 100

function nameScore(tokens: readonly string[], spec: FieldSpec): number {
  return spec.synonyms.reduce((best, [phrase, weight]) => Math.max(best, weight * phraseScore(tokens, phrase)), 0)
}

const isPackSizeColumn = (column: ColumnProfile) => PACK_SIZE_PHRASES.some((p) => phraseScore(column.tokens, p) >= 0.9)

function knownShare(samples: readonly string[], known: ReadonlySet<string> | undefined): number {
  if (!known || samples.length === 0) return 0
  return samples.filter((s) => known.has(s) || known.has(s.toUpperCase())).length / samples.length
}

const isIdentifierType = (column: ColumnProfile) => column.type === 'code' || column.type === 'integer' || isEpochColumn(column)
const isEpochColumn = (column: ColumnProfile) => column.date !== null && (column.date.format === 'EPOCH_SECONDS' || column.date.format === 'EPOCH_MILLIS')
const valueCount = (column: ColumnProfile, rows: number) => Math.round(rows * (1 - column.nullShare))

/** What a column's values say about it holding the field, in [0, 1]. */
function valueScore(field: CanonicalField, column: ColumnProfile, rows: number, known: KnownValues): number {
  const p = column.patterns
  switch (field) {
    case 'sku':
      return Math.max(p.ourSku, knownShare(column.samples, known.skus), p.shape !== null ? 0.6 * p.shapeShare : 0, p.gtin >= 0.9 ? 0.5 : 0, column.type === 'code' ? 0.3 : column.type === 'integer' ? 0.2 : 0)
    case 'locationId': {
      const codes = new Set([...(known.locationIds ?? []), ...Object.keys(known.locationCodes ?? {})])
      const few = column.distinctCount <= Math.max(3, 0.3 * valueCount(column, rows))
      return Math.max(p.locationId, knownShare(column.samples, codes), few ? 0.5 : 0.2)
    }
    case 'quantity':
      if (column.numbers === null || isEpochColumn(column)) return 0
      return (column.numbers.integerShare >= 0.9 ? 0.8 : 0.6) + (column.numbers.negativeShare === 0 ? 0.2 : 0)
    case 'asOf':
    case 'shippedAt':
      return column.date === null ? 0 : column.date.share * (column.date.ambiguous ? 0.8 : 1)
    case 'quantityName':
      return column.samples.length === 0 ? 0 : column.samples.filter((s) => quantityNameOf(s) !== null).length / column.samples.length
    // nothing in a lot or a shipment id's values tells it apart from other codes: the header must
    case 'lot':
    case 'reference':
      return isIdentifierType(column) ? 0.7 : 0
    case 'orderId':
      return Math.max(p.orderId, isIdentifierType(column) ? 0.3 : 0)
  }
}

/** How well the column's type can hold the field; epoch columns are integers too, for identifiers. */
function typeFit(spec: FieldSpec, column: ColumnProfile): number {
  const fit = spec.types[column.type] ?? 0
  const asInteger = isEpochColumn(column) && spec.field !== 'quantity' ? (spec.types.integer ?? 0) : 0
  return Math.max(fit, asInteger)
}

function confidence(spec: FieldSpec, column: ColumnProfile, rows: number, known: KnownValues): number {
  let name = nameScore(column.tokens, spec)
  if (spec.field === 'quantity') {
    if (isPackSizeColumn(column)) return 0
    // of several quantity columns (sellable, unsellable, reserved) the one that counts stock on hand wins
    const state = quantityNameInTokens(column.tokens)
    if (state === 'AVAILABLE' || state === 'ON_HAND') name = Math.min(1, name + 0.05)
    else if (state !== null) name = Math.max(0, name - 0.2)
  }
  return round(typeFit(spec, column) * (NAME_WEIGHT * name + VALUE_WEIGHT * valueScore(spec.field, column, rows, known)))
}

/**
 * Proposes how a partner's file maps onto the canonical fields of `kind`: each field's best
 * column by header name (synonyms, then Jaro-Winkler), value evidence (our SKU and location
 * shapes, dates, numbers) and type, assigned one-to-one for the greatest total confidence; with
 * the transforms the values need (units, date format, location codes) and what a reviewer must
 * settle. Pure: the same profile gives the same proposal.
 */
export function proposeMapping(profile: FeedProfile, kind: FeedKind, known: KnownValues = {}): MappingProposal {
  const specs = FEED_FIELDS[kind]
  const columns = profile.columns
  const rows = profile.profiledRows
  const scores = specs.map((spec) => columns.map((column) => confidence(spec, column, rows, known)))
  const weighted = scores.map((row, i) => row.map((c) => (c >= MIN_CONFIDENCE ? c * (specs[i]!.required ? 1 : OPTIONAL_PRIORITY) : 0)))
  const assigned = assignMaximum(weighted)

  const fields: Partial<Record<CanonicalField, FieldMapping>> = {}
  const review: ReviewNote[] = []
  const used = new Set(assigned.filter((j): j is number => j !== null))
  specs.forEach((spec, i) => {
    const j = assigned[i]
    if (j === null || j === undefined) return
    const column = columns[j]!
    const { transform, notes } = transformFor(spec.field, column, columns, used, known)
    fields[spec.field] = { column: column.name, transform, confidence: scores[i]![j]! }
    review.push(...notes.map((note) => ({ field: spec.field, ...note })))
    if (scores[i]![j]! < CONFIDENT) review.push({ field: spec.field, reason: `'${column.name}' is a guess (confidence ${scores[i]![j]!})`, blocking: false })
  })
  if (kind === 'stock-snapshot' && !fields.quantityName) {
    const quantity = fields.quantity
    const state = quantity?.column ? quantityNameInTokens(headerTokens(quantity.column)) : null
    if (state !== null && quantity) {
      fields.quantityName = { column: null, transform: { kind: 'constant', value: state }, confidence: quantity.confidence }
    } else {
      fields.quantityName = { column: null, transform: { kind: 'constant', value: 'ON_HAND' }, confidence: 0.5 }
      review.push({ field: 'quantityName', reason: 'the file does not say which stock it counts: ON_HAND (a physical count) is assumed', blocking: false })
    }
  }
  const unmappedRequired = specs.filter((s) => s.required && !fields[s.field]).map((s) => s.field)
  for (const field of unmappedRequired) {
    const reason = specs.find((s) => s.field === field)!.constant ? 'no column holds it: map one, or give one value for the whole file' : 'no column holds it'
    review.push({ field, reason, blocking: true })
  }
  const candidates: Partial<Record<CanonicalField, FieldCandidate[]>> = {}
  specs.forEach((spec, i) => {
    candidates[spec.field] = columns
      .map((column, j) => ({ column: column.name, confidence: scores[i]![j]! }))
      .filter((c) => c.confidence >= 0.1)
      .sort((a, b) => b.confidence - a.confidence || a.column.localeCompare(b.column))
      .slice(0, 3)
  })
  const mapping: FeedMapping = { version: MAPPING_VERSION, kind, fields }
  const required = specs.filter((s) => s.required).map((s) => fields[s.field]?.confidence ?? 0)
  return {
    mapping,
    confidence: unmappedRequired.length > 0 ? 0 : Math.min(...required),
    unmappedRequired,
    ready: mappingProblems(mapping, columns.map((c) => c.name)).length === 0 && !review.some((r) => r.blocking),
    review,
    candidates,
  }
}

type Note = Omit<ReviewNote, 'field'>
const look = (reason: string): Note => ({ reason, blocking: false })
const blocking = (reason: string): Note => ({ reason, blocking: true })

/** The transform a field's column needs, and what about it a reviewer must settle. */
function transformFor(field: CanonicalField, column: ColumnProfile, columns: readonly ColumnProfile[], used: ReadonlySet<number>, known: KnownValues): { transform: Transform; notes: Note[] } {
  switch (field) {
    case 'sku':
    case 'reference':
    case 'orderId':
    case 'lot': {
      const notes = field === 'sku' && column.patterns.gtin >= 0.9 ? [blocking('the column holds barcodes (GTIN), not SKUs: the partner must send SKUs')] : []
      return { transform: { kind: 'text', upperCase: field === 'sku' && column.patterns.lowerCaseSkus }, notes }
    }
    case 'locationId': {
      const codes = { ...(known.locationCodes ?? {}) }
      const unknown = column.samples.filter((s) => !OUR_LOCATION_ID.test(s) && !known.locationIds?.has(s) && codes[s] === undefined)
      const notes = unknown.length > 0 ? [blocking(`location codes ${unknown.map((s) => `'${s}'`).join(', ')} are not our location ids: give each its location`)] : []
      return { transform: { kind: 'location', codes }, notes }
    }
    case 'quantity': {
      const unit = column.unit?.unit ?? 'each'
      const notes: Note[] = []
      let packSizeColumn: string | null = null
      if (unit === 'pack') {
        const pack = columns.find((c, j) => !used.has(j) && isPackSizeColumn(c) && c.numbers !== null && c.numbers.integerShare >= 0.9 && c.numbers.min >= 1)
        if (pack) {
          packSizeColumn = pack.name
          notes.push(look(`counted in ${column.unit?.word}: multiplied by '${pack.name}'`))
        } else notes.push(blocking(`counted in ${column.unit?.word}: a pack size is needed`))
      }
      if (unit === 'weight') notes.push(blocking(`counted by weight (${column.unit?.word}): it does not convert into units`))
      const decimalComma = column.numbers?.decimalComma ?? false
      return { transform: { kind: 'quantity', unit, packSize: null, packSizeColumn, decimalComma }, notes }
    }
    case 'asOf':
    case 'shippedAt': {
      const date = column.date
      const notes = date?.ambiguous ? [look(`no day above 12 tells day-first from month-first: ${date.format} is assumed`)] : []
      return { transform: { kind: 'timestamp', format: date?.format ?? 'ISO', utcOffsetMinutes: 0 }, notes }
    }
    case 'quantityName': {
      const values: Record<string, InventoryQuantityName> = {}
      const unknown: string[] = []
      for (const sample of column.samples) {
        const name = quantityNameOf(sample)
        if (name) values[sample] = name
        else unknown.push(sample)
      }
      const notes = unknown.length > 0 ? [blocking(`values ${unknown.map((s) => `'${s}'`).join(', ')} name no stock state we know: give each its state`)] : []
      return { transform: { kind: 'quantityName', values }, notes }
    }
  }
}
