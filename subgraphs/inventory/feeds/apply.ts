import type { InventoryAdjustmentReason, InventoryQuantityName } from '../generated/resolvers.ts'
import { FeedError } from './errors.ts'
import type { FeedRow, ParsedFeed } from './feed.ts'
import { levelKey, shipmentChanges, snapshotChanges, type CurrentLevels, type LevelChange, type Reported } from './levelChanges.ts'
import { mappingProblems, type FeedMapping, type FieldMapping } from './mapping.ts'
import { isSnapshotQuantityName } from './quantityNames.ts'
import type { RowError, RowErrorCode } from './rowErrors.ts'
import { readQuantityName, readText, readTime, readUnits, type CellOf, type FieldRead } from './transforms.ts'

/** What applying needs to know beyond the file: who sent it, and what is ours now. */
export interface ApplyContext {
  /** The partner the file came from (from its credentials): part of the batch key. */
  readonly partnerId: string
  readonly skus: ReadonlySet<string>
  readonly locationIds: ReadonlySet<string>
  /** The levels a snapshot is compared with, by `<sku>@<locationId>`; shipments do not read them. */
  readonly levels: CurrentLevels
}

export interface SnapshotRecord {
  readonly row: number
  readonly sku: string
  readonly locationId: string
  readonly quantityName: InventoryQuantityName
  /** Units, after the unit conversion. */
  readonly quantity: number
  /** RFC 3339, UTC. */
  readonly asOf: string
  readonly lot: string | null
}

export interface ShipmentRecord {
  readonly row: number
  readonly sku: string
  readonly locationId: string
  readonly quantity: number
  readonly shippedAt: string
  /** The partner's shipment (ASN, tracking, delivery) id. */
  readonly reference: string
  readonly orderId: string | null
}

interface BatchBase {
  /** `feed:<partnerId>:<contentHash>`: the same file from the same partner is the same batch, however often it is sent. */
  readonly idempotencyKey: string
  readonly partnerId: string
  readonly contentHash: string
  /** The file as the ledger's source document. */
  readonly referenceDocumentUri: string
  /** The deltas, all to apply together or not at all. */
  readonly changes: readonly LevelChange[]
}
export interface SnapshotBatch extends BatchBase {
  readonly kind: 'stock-snapshot'
  readonly reason: Extract<InventoryAdjustmentReason, 'CYCLE_COUNT'>
  readonly records: readonly SnapshotRecord[]
}
export interface ShipmentBatch extends BatchBase {
  readonly kind: 'shipment-confirmation'
  readonly reason: Extract<InventoryAdjustmentReason, 'FULFILLMENT'>
  readonly records: readonly ShipmentRecord[]
}
export type FeedBatch = SnapshotBatch | ShipmentBatch

/** A whole batch, or every reason every failing row fails: never part of a file. */
export type ApplyResult = { readonly ok: true; readonly batch: FeedBatch } | { readonly ok: false; readonly errors: readonly RowError[] }

/**
 * Applies an approved mapping to a parsed file: every row read into a canonical record and
 * checked (our SKUs and locations, whole non-negative units, real dates, no level twice in a
 * snapshot), then the records turned into deltas (a snapshot's against the current levels).
 * One failing row fails the file, with every failure of every row reported. Pure: the same
 * mapping, file and context give the same result. Throws FEED_MAPPING_INVALID when the mapping
 * cannot apply to this file at all (a column it reads is gone, a pack size is missing).
 */
export function applyMapping(mapping: FeedMapping, feed: ParsedFeed, context: ApplyContext): ApplyResult {
  const problems = mappingProblems(mapping, feed.headers)
  if (problems.length > 0) throw new FeedError('FEED_MAPPING_INVALID', `the mapping does not apply to this file: ${problems.join('; ')}`, { problems })
  const columns = new Map(feed.headers.map((header, i) => [header, i]))
  const base = {
    idempotencyKey: `feed:${context.partnerId}:${feed.contentHash}`,
    partnerId: context.partnerId,
    contentHash: feed.contentHash,
    referenceDocumentUri: `gid://partner/${encodeURIComponent(context.partnerId)}/Feed/${feed.contentHash}`,
  }
  return mapping.kind === 'stock-snapshot' ? applySnapshot(mapping, feed, context, columns, base) : applyShipments(mapping, feed, context, columns, base)
}

type Base = Omit<BatchBase, 'changes'>

/** Reads one row's fields, noting each failure against the row. */
class RowReader {
  readonly errors: RowError[] = []
  constructor(private readonly columns: ReadonlyMap<string, number>) {}

  cellsOf(row: FeedRow): CellOf {
    return (column) => row.cells[this.columns.get(column) ?? -1] ?? null
  }

  /** The value, or null having noted why there is none. */
  take<T>(row: FeedRow, entry: FieldMapping, read: FieldRead<T>): T | null {
    if (read.ok) return read.value
    this.fail(row, entry.column, read.code, read.reason)
    return null
  }

  fail(row: FeedRow, column: string | null, code: RowErrorCode, reason: string): void {
    this.errors.push({ row: row.row, line: row.line, column, code, reason })
  }

  /** A malformed row fails as a whole; its cells are not read. */
  usable(row: FeedRow): boolean {
    if (row.problem === null) return true
    this.fail(row, null, 'MALFORMED_ROW', row.problem)
    return false
  }

  /** Whether the row's SKU and location are both read and ours, noting each that is not ours. */
  ours(row: FeedRow, entries: { sku: FieldMapping; locationId: FieldMapping }, sku: string | null, locationId: string | null, context: ApplyContext): boolean {
    let ok = sku !== null && locationId !== null
    if (sku !== null && !context.skus.has(sku)) {
      this.fail(row, entries.sku.column, 'UNKNOWN_SKU', `'${sku}' is not one of our SKUs`)
      ok = false
    }
    if (locationId !== null && !context.locationIds.has(locationId)) {
      const written = entries.locationId.column === null ? null : this.cellsOf(row)(entries.locationId.column)
      const via = written !== null && String(written) !== locationId ? ` ('${String(written)}' in the file)` : ''
      this.fail(row, entries.locationId.column, 'UNKNOWN_LOCATION', `'${locationId}'${via} is not one of our locations, nor a code in the mapping's location table`)
      ok = false
    }
    return ok
  }
}

/** Errors in file order: by row, then by column as the file has them (a whole-row error first). */
function inFileOrder(errors: readonly RowError[], columns: ReadonlyMap<string, number>): RowError[] {
  const at = (e: RowError) => (e.column === null ? -1 : (columns.get(e.column) ?? -1))
  return [...errors].sort((a, b) => a.row - b.row || at(a) - at(b))
}

function applySnapshot(mapping: FeedMapping, feed: ParsedFeed, context: ApplyContext, columns: ReadonlyMap<string, number>, base: Base): ApplyResult {
  const f = mapping.fields
  // mappingProblems has made sure the required fields are there
  const sku = f.sku!, locationId = f.locationId!, quantity = f.quantity!, asOf = f.asOf!
  const quantityName = f.quantityName ?? { column: null, transform: { kind: 'constant', value: 'ON_HAND' }, confidence: 1 }
  const reader = new RowReader(columns)
  const records: SnapshotRecord[] = []
  const firstRow = new Map<string, number>()
  for (const row of feed.rows) {
    if (!reader.usable(row)) continue
    const cells = reader.cellsOf(row)
    const record = {
      sku: reader.take(row, sku, readText(sku, cells)),
      locationId: reader.take(row, locationId, readText(locationId, cells)),
      quantity: reader.take(row, quantity, readUnits(quantity, cells)),
      asOf: reader.take(row, asOf, readTime(asOf, cells)),
      quantityName: reader.take(row, quantityName, readQuantityName(quantityName, cells)),
      lot: f.lot && cells(f.lot.column ?? '') !== null ? reader.take(row, f.lot, readText(f.lot, cells)) : null,
    }
    const settable = record.quantityName === null || isSnapshotQuantityName(record.quantityName)
    if (!settable) reader.fail(row, quantityName.column, 'INVALID_QUANTITY_NAME', `${record.quantityName} changes only through orders, reservations or replenishments, not a snapshot`)
    const ours = reader.ours(row, { sku, locationId }, record.sku, record.locationId, context)
    if (!ours || !settable || record.quantity === null || record.asOf === null || record.quantityName === null) continue
    const key = `${levelKey(record.sku!, record.locationId!)}:${record.quantityName}:${record.lot ?? ''}`
    const earlier = firstRow.get(key)
    if (earlier !== undefined) {
      const lot = record.lot === null ? '' : `, lot ${record.lot}`
      reader.fail(row, sku.column, 'DUPLICATE_LEVEL', `${record.sku} at ${record.locationId} (${record.quantityName}${lot}) is already on row ${earlier}`)
      continue
    }
    firstRow.set(key, row.row)
    records.push({ row: row.row, sku: record.sku!, locationId: record.locationId!, quantityName: record.quantityName, quantity: record.quantity, asOf: record.asOf, lot: record.lot })
  }
  const reported = records.map((r): Reported => ({ row: r.row, sku: r.sku, locationId: r.locationId, name: r.quantityName as Reported['name'], quantity: r.quantity }))
  const { changes, errors } = snapshotChanges(reported, context.levels)
  const rowOf = new Map(feed.rows.map((r) => [r.row, r]))
  for (const e of errors) reader.fail(rowOf.get(e.row)!, quantity.column, e.code, e.reason)
  if (reader.errors.length > 0) return { ok: false, errors: inFileOrder(reader.errors, columns) }
  return { ok: true, batch: { ...base, kind: 'stock-snapshot', reason: 'CYCLE_COUNT', records, changes } }
}

function applyShipments(mapping: FeedMapping, feed: ParsedFeed, context: ApplyContext, columns: ReadonlyMap<string, number>, base: Base): ApplyResult {
  const f = mapping.fields
  const sku = f.sku!, locationId = f.locationId!, quantity = f.quantity!, shippedAt = f.shippedAt!, reference = f.reference!
  const reader = new RowReader(columns)
  const records: ShipmentRecord[] = []
  for (const row of feed.rows) {
    if (!reader.usable(row)) continue
    const cells = reader.cellsOf(row)
    const record = {
      sku: reader.take(row, sku, readText(sku, cells)),
      locationId: reader.take(row, locationId, readText(locationId, cells)),
      quantity: reader.take(row, quantity, readUnits(quantity, cells)),
      shippedAt: reader.take(row, shippedAt, readTime(shippedAt, cells)),
      reference: reader.take(row, reference, readText(reference, cells)),
      orderId: f.orderId && cells(f.orderId.column ?? '') !== null ? reader.take(row, f.orderId, readText(f.orderId, cells)) : null,
    }
    if (record.quantity === 0) reader.fail(row, quantity.column, 'INVALID_QUANTITY', 'a shipment of 0 units')
    const ours = reader.ours(row, { sku, locationId }, record.sku, record.locationId, context)
    if (!ours || !record.quantity || record.shippedAt === null || record.reference === null) continue
    records.push({ row: row.row, sku: record.sku!, locationId: record.locationId!, quantity: record.quantity, shippedAt: record.shippedAt, reference: record.reference, orderId: record.orderId })
  }
  if (reader.errors.length > 0) return { ok: false, errors: inFileOrder(reader.errors, columns) }
  return { ok: true, batch: { ...base, kind: 'shipment-confirmation', reason: 'FULFILLMENT', records, changes: shipmentChanges(records) } }
}
