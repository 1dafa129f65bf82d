import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { LOCATIONS, buildWorld } from '../../../seed/world.ts'
import { applyMapping, type ApplyContext, type FeedBatch, type ShipmentBatch, type SnapshotBatch } from './apply.ts'
import type { CanonicalField, FeedKind } from './fields.ts'
import type { CurrentLevel } from './levelChanges.ts'
import { readMapping, type FeedMapping } from './mapping.ts'
import { parseFeed } from './parse.ts'
import { profileFeed } from './profile.ts'
import { CONFIDENT, proposeMapping, type MappingProposal } from './propose.ts'
import type { RowErrorCode } from './rowErrors.ts'

const sample = (name: string) => parseFeed(readFileSync(new URL(`./samples/${name}`, import.meta.url)))
const propose = (name: string, kind: FeedKind) => proposeMapping(profileFeed(sample(name)), kind)

const world = buildWorld()
function contextWith(levels: Record<string, CurrentLevel> = {}): ApplyContext {
  return {
    partnerId: 'partner_acme',
    skus: new Set(world.variants.map((v) => v.sku)),
    locationIds: new Set(LOCATIONS.map((l) => l.id)),
    levels: new Map(Object.entries(levels)),
  }
}

const columnsOf = (proposal: MappingProposal) =>
  Object.fromEntries(Object.entries(proposal.mapping.fields).map(([field, entry]) => [field, entry.column]))

/** What a reviewer does: fills in the partner's location codes, then approves. Stored as JSON and read back. */
function approve(proposal: MappingProposal, codes: Record<string, string>): FeedMapping {
  const location = proposal.mapping.fields.locationId!
  const edited = { ...proposal.mapping, fields: { ...proposal.mapping.fields, locationId: { ...location, transform: { kind: 'location', codes } } } }
  return readMapping(JSON.parse(JSON.stringify(edited)))
}

function batchOf(result: ReturnType<typeof applyMapping>): FeedBatch {
  if (!result.ok) assert.fail(`expected a batch, got ${JSON.stringify(result.errors, null, 2)}`)
  return result.batch
}
function snapshotOf(result: ReturnType<typeof applyMapping>): SnapshotBatch {
  const batch = batchOf(result)
  return batch.kind === 'stock-snapshot' ? batch : assert.fail('expected a snapshot batch')
}
function shipmentsOf(result: ReturnType<typeof applyMapping>): ShipmentBatch {
  const batch = batchOf(result)
  return batch.kind === 'shipment-confirmation' ? batch : assert.fail('expected a shipment batch')
}

function errorsOf(result: ReturnType<typeof applyMapping>): [number, RowErrorCode, string | null][] {
  assert.equal(result.ok, false, 'a broken file must yield no batch')
  assert.ok(!('batch' in result))
  return result.ok ? [] : result.errors.map((e) => [e.row, e.code, e.column])
}

describe('a 3PL stock snapshot: semicolons, a BOM, CRLF, quoted fields, DD/MM/YYYY, counted in cases', () => {
  const proposal = propose('3pl-stock-snapshot.csv', 'stock-snapshot')
  const mapping = approve(proposal, { RTM: 'loc_wh_eu', NJ1: 'loc_wh_east' })

  it('is read with the semicolon sniffed and a quoted field spanning two lines', () => {
    const feed = sample('3pl-stock-snapshot.csv')
    assert.equal(feed.delimiter, ';')
    assert.deepEqual(feed.headers, ['Item No.', 'Description', 'Warehouse', 'Qty (cases)', 'Pack Size', 'Snapshot Date'])
    assert.equal(feed.rows.length, 6)
    assert.equal(feed.rows[2]!.cells[1], 'Everyday Hoodie "Heavy" L')
    assert.deepEqual([feed.rows[5]!.line, feed.rows[5]!.cells[1]], [7, 'Headphones,\nblack'])
  })

  it('maps item, warehouse, cases and date, with the pack size column as the factor', () => {
    assert.deepEqual(columnsOf(proposal), { sku: 'Item No.', locationId: 'Warehouse', quantity: 'Qty (cases)', asOf: 'Snapshot Date', quantityName: null })
    const f = proposal.mapping.fields
    assert.deepEqual(f.quantity!.transform, { kind: 'quantity', unit: 'pack', packSize: null, packSizeColumn: 'Pack Size', decimalComma: true })
    assert.deepEqual(f.asOf!.transform, { kind: 'timestamp', format: 'DD/MM/YYYY', utcOffsetMinutes: 0 })
    assert.deepEqual(f.quantityName!.transform, { kind: 'constant', value: 'ON_HAND' })
    for (const field of ['sku', 'locationId', 'quantity', 'asOf'] as const) assert.ok(f[field]!.confidence >= CONFIDENT, `${field} ${f[field]!.confidence}`)
    assert.equal(f.sku!.confidence, 1)
    assert.ok(f.quantityName!.confidence < CONFIDENT)
  })

  it('is not ready until the warehouse codes are given our locations', () => {
    assert.equal(proposal.ready, false)
    assert.deepEqual(proposal.unmappedRequired, [])
    const blocking = proposal.review.filter((r) => r.blocking)
    assert.deepEqual(blocking.map((r) => r.field), ['locationId'])
    assert.match(blocking[0]!.reason, /'RTM', 'NJ1'/)
  })

  it('applies as ON_HAND counts in units, AVAILABLE moving by what is not committed, reserved or set aside', () => {
    const batch = snapshotOf(applyMapping(mapping, sample('3pl-stock-snapshot.csv'), contextWith({
      'APP-0001-S@loc_wh_eu': { AVAILABLE: 50, COMMITTED: 4, RESERVED: 2, DAMAGED: 1 },
      'APP-0001-M@loc_wh_eu': { AVAILABLE: 30 },
      'APP-0002-L@loc_wh_eu': { AVAILABLE: 3 },
      'HOM-0089-SLATE@loc_wh_east': { AVAILABLE: 200 },
      'ELC-0133-BLACK@loc_wh_east': { AVAILABLE: 31, RESERVED: 1 },
    })))
    assert.equal(batch.kind, 'stock-snapshot')
    assert.equal(batch.reason, 'CYCLE_COUNT')
    assert.deepEqual(batch.records.map((r) => [r.row, r.sku, r.locationId, r.quantity]), [
      [1, 'APP-0001-S', 'loc_wh_eu', 72],
      [2, 'APP-0001-M', 'loc_wh_eu', 30],
      [3, 'APP-0002-L', 'loc_wh_eu', 0],
      [4, 'FTW-0045-42', 'loc_wh_east', 28],
      [5, 'HOM-0089-SLATE', 'loc_wh_east', 240],
      [6, 'ELC-0133-BLACK', 'loc_wh_east', 30],
    ])
    assert.deepEqual(batch.records.map((r) => r.asOf), [...Array(5).fill('2026-09-30T00:00:00.000Z'), '2026-09-29T00:00:00.000Z'])
    assert.deepEqual(batch.changes, [
      { sku: 'APP-0001-S', locationId: 'loc_wh_eu', name: 'AVAILABLE', delta: 15 },
      { sku: 'APP-0002-L', locationId: 'loc_wh_eu', name: 'AVAILABLE', delta: -3 },
      { sku: 'FTW-0045-42', locationId: 'loc_wh_east', name: 'AVAILABLE', delta: 28 },
      { sku: 'HOM-0089-SLATE', locationId: 'loc_wh_east', name: 'AVAILABLE', delta: 40 },
      { sku: 'ELC-0133-BLACK', locationId: 'loc_wh_east', name: 'AVAILABLE', delta: -2 },
    ])
    assert.match(batch.idempotencyKey, /^feed:partner_acme:[0-9a-f]{64}$/)
    assert.equal(batch.referenceDocumentUri, `gid://partner/partner_acme/Feed/${batch.contentHash}`)
  })

  it('a broken file yields every failing row with its reason, and no batch', () => {
    const result = applyMapping(mapping, sample('3pl-stock-snapshot-broken.csv'), contextWith())
    assert.deepEqual(errorsOf(result), [
      [2, 'UNKNOWN_SKU', 'Item No.'],
      [3, 'INVALID_QUANTITY', 'Qty (cases)'],
      [4, 'INVALID_DATE', 'Snapshot Date'],
      [5, 'DUPLICATE_LEVEL', 'Item No.'],
      [6, 'UNKNOWN_LOCATION', 'Warehouse'],
      [7, 'INVALID_QUANTITY', 'Qty (cases)'],
      [8, 'INVALID_QUANTITY', 'Qty (cases)'],
    ])
    const reasons = result.ok ? [] : result.errors.map((e) => `${e.line}: ${e.reason}`)
    assert.match(reasons[1]!, /^4: '2,7' makes 32\.4 units \(× 12\), not a whole number/)
    assert.match(reasons[2]!, /^5: '31\/02\/2026' is not a DD\/MM\/YYYY timestamp/)
    assert.match(reasons[3]!, /already on row 1/)
    assert.match(reasons[4]!, /'XX9'/)
    assert.match(reasons[5]!, /negative/)
    assert.match(reasons[6]!, /pack size in 'Pack Size' \("none"\)/)
  })
})

describe('a marketplace JSON snapshot: nested objects, an envelope, lower-case SKUs, several quantities', () => {
  const proposal = propose('marketplace-inventory.json', 'stock-snapshot')
  const mapping = approve(proposal, { RTM1: 'loc_wh_eu', EWR2: 'loc_wh_east' })

  it('flattens nested objects to dotted paths and carries the envelope to every row', () => {
    const feed = sample('marketplace-inventory.json')
    assert.deepEqual(feed.headers, ['product.sku', 'product.title', 'fulfillment_center', 'quantity.sellable', 'quantity.unsellable', 'quantity.reserved', 'updated_at', 'seller_id', 'generated_at'])
    assert.deepEqual(feed.rows[3]!.cells.slice(-2), ['S-88231', '2026-10-01T06:00:00Z'])
  })

  it('maps the sellable quantity as AVAILABLE, upper-casing the SKUs, the row time over the file time', () => {
    assert.deepEqual(columnsOf(proposal), { sku: 'product.sku', locationId: 'fulfillment_center', quantity: 'quantity.sellable', asOf: 'updated_at', quantityName: null })
    const f = proposal.mapping.fields
    assert.deepEqual(f.sku!.transform, { kind: 'text', upperCase: true })
    assert.deepEqual(f.quantityName!.transform, { kind: 'constant', value: 'AVAILABLE' })
    for (const field of ['sku', 'quantity', 'asOf'] as const) assert.ok(f[field]!.confidence >= 0.9, `${field} ${f[field]!.confidence}`)
    const quantity = proposal.candidates.quantity!
    assert.equal(quantity[0]!.column, 'quantity.sellable')
    assert.ok(quantity[1]!.confidence < quantity[0]!.confidence)
    assert.equal(proposal.candidates.asOf![1]!.column, 'generated_at')
  })

  it('needs the fulfillment centers as locations, unless an earlier mapping knows their codes', () => {
    assert.equal(proposal.ready, false)
    const known = proposeMapping(profileFeed(sample('marketplace-inventory.json')), 'stock-snapshot', { locationCodes: { RTM1: 'loc_wh_eu', EWR2: 'loc_wh_east' } })
    assert.equal(known.ready, true)
    assert.deepEqual(known.mapping.fields.locationId!.transform, { kind: 'location', codes: { RTM1: 'loc_wh_eu', EWR2: 'loc_wh_east' } })
  })

  it('applies as AVAILABLE at the mapped centers, times in UTC', () => {
    const batch = snapshotOf(applyMapping(mapping, sample('marketplace-inventory.json'), contextWith({
      'APP-0001-S@loc_wh_eu': { AVAILABLE: 50, DAMAGED: 4 },
      'FTW-0045-42@loc_wh_east': { AVAILABLE: 20 },
    })))
    assert.deepEqual(batch.records.map((r) => [r.sku, r.locationId, r.quantityName, r.quantity, r.asOf]), [
      ['APP-0001-S', 'loc_wh_eu', 'AVAILABLE', 11, '2026-10-01T05:58:12.000Z'],
      ['APP-0001-M', 'loc_wh_eu', 'AVAILABLE', 0, '2026-10-01T05:58:12.000Z'],
      ['FTW-0045-42', 'loc_wh_east', 'AVAILABLE', 25, '2026-10-01T02:12:40.000Z'],
      ['OUT-0177-SMALL', 'loc_wh_east', 'AVAILABLE', 4, '2026-09-30T23:59:59.000Z'],
    ])
    assert.deepEqual(batch.changes, [
      { sku: 'APP-0001-S', locationId: 'loc_wh_eu', name: 'AVAILABLE', delta: -39 },
      { sku: 'FTW-0045-42', locationId: 'loc_wh_east', name: 'AVAILABLE', delta: 5 },
      { sku: 'OUT-0177-SMALL', locationId: 'loc_wh_east', name: 'AVAILABLE', delta: 4 },
    ])
  })

  it('a broken file yields every failing row with its reason, and no batch', () => {
    assert.deepEqual(errorsOf(applyMapping(mapping, sample('marketplace-inventory-broken.json'), contextWith())), [
      [2, 'MALFORMED_ROW', null],
      [3, 'MISSING_VALUE', 'product.sku'],
      [4, 'INVALID_QUANTITY', 'quantity.sellable'],
      [5, 'INVALID_DATE', 'updated_at'],
      [6, 'UNKNOWN_LOCATION', 'fulfillment_center'],
      [6, 'INVALID_QUANTITY', 'quantity.sellable'],
    ])
  })
})

describe('a shipment confirmation: tabs, epoch seconds, our own ids', () => {
  const proposal = propose('shipment-confirmation.tsv', 'shipment-confirmation')

  it('maps every field, the shipment id over the tracking number, and is ready as proposed', () => {
    assert.equal(sample('shipment-confirmation.tsv').delimiter, '\t')
    assert.deepEqual(columnsOf(proposal), { sku: 'sku', locationId: 'warehouse_id', quantity: 'qty_shipped', shippedAt: 'ship_ts', reference: 'shipment_id', orderId: 'order_ref' })
    assert.deepEqual(proposal.mapping.fields.shippedAt!.transform, { kind: 'timestamp', format: 'EPOCH_SECONDS', utcOffsetMinutes: 0 })
    assert.equal(proposal.ready, true)
    assert.ok(proposal.confidence >= CONFIDENT)
    const reference = proposal.candidates.reference!
    assert.deepEqual(reference.map((c) => c.column).slice(0, 2), ['shipment_id', 'carrier_tracking'])
    assert.ok(proposal.candidates.quantity!.every((c) => c.column === 'qty_shipped' || c.confidence < CONFIDENT))
  })

  it('applies as units leaving COMMITTED for our orders and AVAILABLE otherwise', () => {
    const batch = shipmentsOf(applyMapping(proposal.mapping, sample('shipment-confirmation.tsv'), contextWith()))
    assert.equal(batch.kind, 'shipment-confirmation')
    assert.equal(batch.reason, 'FULFILLMENT')
    assert.deepEqual(batch.records[0], { row: 1, sku: 'APP-0001-S', locationId: 'loc_wh_east', quantity: 2, shippedAt: '2026-09-30T14:05:00.000Z', reference: 'SHP-10001', orderId: 'ord_0001' })
    assert.equal(batch.records[3]!.orderId, null)
    assert.deepEqual(batch.changes, [
      { sku: 'APP-0001-S', locationId: 'loc_wh_east', name: 'COMMITTED', delta: -2 },
      { sku: 'APP-0001-M', locationId: 'loc_wh_east', name: 'COMMITTED', delta: -1 },
      { sku: 'FTW-0045-42', locationId: 'loc_wh_eu', name: 'COMMITTED', delta: -3 },
      { sku: 'HOM-0089-SLATE', locationId: 'loc_wh_eu', name: 'AVAILABLE', delta: -12 },
      { sku: 'APP-0001-S', locationId: 'loc_wh_east', name: 'AVAILABLE', delta: -1 },
    ])
  })

  it('a broken file yields every failing row with its reason, and no batch', () => {
    const result = applyMapping(proposal.mapping, sample('shipment-confirmation-broken.tsv'), contextWith())
    assert.deepEqual(errorsOf(result), [
      [2, 'INVALID_DATE', 'ship_ts'],
      [3, 'INVALID_QUANTITY', 'qty_shipped'],
      [4, 'UNKNOWN_LOCATION', 'warehouse_id'],
      [5, 'MALFORMED_ROW', null],
      [6, 'MISSING_VALUE', 'shipment_id'],
      [6, 'INVALID_DATE', 'ship_ts'],
    ])
    assert.deepEqual(result.ok ? [] : result.errors.map((e) => e.line), [3, 4, 5, 6, 7, 7])
  })
})

describe('a warehouse count by state and lot: pipes, units written after the numbers', () => {
  const proposal = propose('warehouse-levels.psv', 'stock-snapshot')

  it('maps the status column through a table of states and the lot column', () => {
    assert.deepEqual(columnsOf(proposal), { sku: 'SKU', locationId: 'Location', quantity: 'Qty', asOf: 'Counted At', quantityName: 'Status', lot: 'Lot' })
    assert.deepEqual(proposal.mapping.fields.quantityName!.transform, { kind: 'quantityName', values: { Available: 'AVAILABLE', Damaged: 'DAMAGED', Quarantine: 'QUALITY_CONTROL' } })
    assert.equal(proposal.ready, true)
    assert.equal(proposal.confidence, 1)
  })

  it('adds up the lots of a state and converts dozens', () => {
    const batch = snapshotOf(applyMapping(proposal.mapping, sample('warehouse-levels.psv'), contextWith({
      'APP-0001-S@loc_wh_eu': { AVAILABLE: 20, DAMAGED: 2 },
      'APP-0001-M@loc_wh_eu': { AVAILABLE: 30 },
      'FTW-0045-42@loc_wh_east': { AVAILABLE: 10 },
    })))
    assert.deepEqual(batch.records.map((r) => [r.quantityName, r.lot, r.quantity]), [
      ['AVAILABLE', 'L-0917', 12], ['AVAILABLE', 'L-0921', 12], ['DAMAGED', 'L-0917', 2], ['AVAILABLE', 'L-0921', 30], ['QUALITY_CONTROL', 'L-0921', 5], ['AVAILABLE', 'L-0930', 8],
    ])
    assert.deepEqual(batch.changes, [
      { sku: 'APP-0001-S', locationId: 'loc_wh_eu', name: 'AVAILABLE', delta: 4 },
      { sku: 'APP-0001-M', locationId: 'loc_wh_eu', name: 'QUALITY_CONTROL', delta: 5 },
      { sku: 'FTW-0045-42', locationId: 'loc_wh_east', name: 'AVAILABLE', delta: -2 },
    ])
  })
})

describe('mappings', () => {
  it('survive JSON storage unchanged', () => {
    for (const [name, kind] of [['3pl-stock-snapshot.csv', 'stock-snapshot'], ['marketplace-inventory.json', 'stock-snapshot'], ['shipment-confirmation.tsv', 'shipment-confirmation'], ['warehouse-levels.psv', 'stock-snapshot']] as const) {
      const { mapping } = propose(name, kind)
      assert.deepEqual(readMapping(JSON.parse(JSON.stringify(mapping))), mapping)
    }
  })

  it('propose the same for the same file', () => {
    assert.deepEqual(propose('marketplace-inventory.json', 'stock-snapshot'), propose('marketplace-inventory.json', 'stock-snapshot'))
  })

  it('give a snapshot file proposed as a shipment confirmation no reference and no shipping time', () => {
    const proposal = propose('3pl-stock-snapshot.csv', 'shipment-confirmation')
    assert.deepEqual(proposal.unmappedRequired satisfies readonly CanonicalField[], ['reference'])
    assert.equal(proposal.confidence, 0)
    assert.equal(proposal.ready, false)
  })
})
