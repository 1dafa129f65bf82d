import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { applyMapping, type ApplyContext, type ApplyResult, type FeedBatch, type SnapshotBatch } from './apply.ts'
import { FeedError } from './errors.ts'
import type { CurrentLevel } from './levelChanges.ts'
import { readMapping, type FeedMapping, type Transform } from './mapping.ts'
import { parseFeed } from './parse.ts'

const text = (upperCase = false): Transform => ({ kind: 'text', upperCase })
const location = (codes: Record<string, string> = {}): Transform => ({ kind: 'location', codes })
const units = (extra: Partial<Extract<Transform, { kind: 'quantity' }>> = {}): Transform => ({ kind: 'quantity', unit: 'each', packSize: null, packSizeColumn: null, decimalComma: false, ...extra })
const iso = (utcOffsetMinutes = 0): Transform => ({ kind: 'timestamp', format: 'ISO', utcOffsetMinutes })
const field = (column: string | null, transform: Transform) => ({ column, transform, confidence: 1 })

/** The mapping of a `sku,loc,qty,at[,state]` snapshot, with fields replaced as given. */
function snapshotMapping(fields: Record<string, unknown> = {}): FeedMapping {
  return readMapping({
    version: 1,
    kind: 'stock-snapshot',
    fields: { sku: field('sku', text()), locationId: field('loc', location()), quantity: field('qty', units()), asOf: field('at', iso()), ...fields },
  })
}

const shipmentMapping = readMapping({
  version: 1,
  kind: 'shipment-confirmation',
  fields: { sku: field('sku', text()), locationId: field('loc', location()), quantity: field('qty', units()), shippedAt: field('at', iso()), reference: field('ref', text()), orderId: field('order', text()) },
})

function context(levels: Record<string, CurrentLevel> = {}, partnerId = 'partner_acme'): ApplyContext {
  return { partnerId, skus: new Set(['APP-0001-S', 'APP-0001-M']), locationIds: new Set(['loc_wh_eu', 'loc_wh_east']), levels: new Map(Object.entries(levels)) }
}

const AT = '2026-10-01T06:00:00Z'
const csv = (...lines: string[]) => parseFeed(`${lines.join('\n')}\n`, { delimiter: ',' })

function batchOf(result: ApplyResult): FeedBatch {
  if (!result.ok) assert.fail(JSON.stringify(result.errors, null, 2))
  return result.batch
}
function snapshotOf(result: ApplyResult): SnapshotBatch {
  const batch = batchOf(result)
  return batch.kind === 'stock-snapshot' ? batch : assert.fail('expected a snapshot batch')
}
const errorsOf = (result: ApplyResult) => (result.ok ? assert.fail('expected errors, got a batch') : result.errors.map((e) => [e.row, e.code, e.column]))

describe('applyMapping to a stock snapshot', () => {
  it('sets AVAILABLE to ON_HAND less what is committed, reserved and set aside, the set-aside as reported', () => {
    const feed = csv('sku,loc,qty,at,state', `APP-0001-S,loc_wh_eu,20,${AT},ON_HAND`, `APP-0001-S,loc_wh_eu,3,${AT},DAMAGED`)
    const mapping = snapshotMapping({ quantityName: field('state', { kind: 'quantityName', values: {} }) })
    const batch = batchOf(applyMapping(mapping, feed, context({ 'APP-0001-S@loc_wh_eu': { AVAILABLE: 10, COMMITTED: 2, RESERVED: 1, DAMAGED: 1, SAFETY_STOCK: 2 } })))
    // 20 on hand = 2 committed + 1 reserved + 3 damaged + 2 safety stock + 12 available
    assert.deepEqual(batch.changes, [
      { sku: 'APP-0001-S', locationId: 'loc_wh_eu', name: 'AVAILABLE', delta: 2 },
      { sku: 'APP-0001-S', locationId: 'loc_wh_eu', name: 'DAMAGED', delta: 2 },
    ])
  })

  it('gives no change for a level already at the reported quantity, and an empty batch for an empty file', () => {
    const batch = batchOf(applyMapping(snapshotMapping(), csv('sku,loc,qty,at', `APP-0001-S,loc_wh_eu,5,${AT}`), context({ 'APP-0001-S@loc_wh_eu': { AVAILABLE: 5 } })))
    assert.deepEqual([batch.records.length, batch.changes], [1, []])
    const empty = batchOf(applyMapping(snapshotMapping(), csv('sku,loc,qty,at'), context()))
    assert.deepEqual([empty.records, empty.changes], [[], []])
  })

  it('refuses ON_HAND below what is held, ON_HAND beside AVAILABLE, and states a snapshot may not set', () => {
    const mapping = snapshotMapping({ quantityName: field('state', { kind: 'quantityName', values: { free: 'AVAILABLE' } }) })
    const feed = csv(
      'sku,loc,qty,at,state',
      `APP-0001-S,loc_wh_eu,2,${AT},ON_HAND`,
      `APP-0001-M,loc_wh_eu,4,${AT},ON_HAND`,
      `APP-0001-M,loc_wh_eu,4,${AT},free`,
      `APP-0001-M,loc_wh_east,4,${AT},COMMITTED`,
      `APP-0001-M,loc_wh_east,4,${AT},reserved`,
      `APP-0001-S,loc_wh_east,4,${AT},INCOMING`,
    )
    const result = applyMapping(mapping, feed, context({ 'APP-0001-S@loc_wh_eu': { COMMITTED: 3 } }))
    assert.deepEqual(errorsOf(result), [
      [1, 'ON_HAND_BELOW_HELD', 'qty'],
      [2, 'CONFLICTING_QUANTITIES', 'qty'],
      [3, 'CONFLICTING_QUANTITIES', 'qty'],
      [4, 'INVALID_QUANTITY_NAME', 'state'],
      [5, 'INVALID_QUANTITY_NAME', 'state'],
      [6, 'INVALID_QUANTITY_NAME', 'state'],
    ])
  })

  it('reports every failure of a row, not only the first', () => {
    const result = applyMapping(snapshotMapping(), csv('sku,loc,qty,at', 'APP-9999-X,loc_nowhere,1.5,tomorrow', 'APP-0001-S,,,'), context())
    assert.deepEqual(errorsOf(result), [
      [1, 'UNKNOWN_SKU', 'sku'],
      [1, 'UNKNOWN_LOCATION', 'loc'],
      [1, 'INVALID_QUANTITY', 'qty'],
      [1, 'INVALID_DATE', 'at'],
      [2, 'MISSING_VALUE', 'loc'],
      [2, 'MISSING_VALUE', 'qty'],
      [2, 'MISSING_VALUE', 'at'],
    ])
  })

  it('reads a location through the partner\'s codes, and our own ids as they are; one location may be a constant', () => {
    const coded = snapshotMapping({ locationId: field('loc', location({ RTM: 'loc_wh_eu' })) })
    const batch = batchOf(applyMapping(coded, csv('sku,loc,qty,at', `APP-0001-S,RTM,1,${AT}`, `APP-0001-M,loc_wh_east,1,${AT}`), context()))
    assert.deepEqual(batch.records.map((r) => r.locationId), ['loc_wh_eu', 'loc_wh_east'])
    const constant = snapshotMapping({ locationId: field(null, { kind: 'constant', value: 'loc_wh_east' }) })
    assert.deepEqual(batchOf(applyMapping(constant, csv('sku,qty,at', `APP-0001-S,1,${AT}`), context())).records.map((r) => r.locationId), ['loc_wh_east'])
  })

  it('counts packs by a fixed pack size, lets a unit after a number win, and refuses what does not convert', () => {
    const mapping = snapshotMapping({ quantity: field('qty', units({ unit: 'pack', packSize: 6 })) })
    const feed = csv('sku,loc,qty,at', `APP-0001-S,loc_wh_eu,2,${AT}`, `APP-0001-M,loc_wh_eu,5 pcs,${AT}`, `APP-0001-S,loc_wh_east,1 dozen,${AT}`, `APP-0001-M,loc_wh_east,2 kg,${AT}`, `APP-0001-M,loc_wh_east,2 furlongs,${AT}`)
    const result = applyMapping(mapping, feed, context())
    assert.deepEqual(errorsOf(result), [[4, 'INVALID_QUANTITY', 'qty'], [5, 'INVALID_QUANTITY', 'qty']])
    const good = applyMapping(mapping, csv('sku,loc,qty,at', `APP-0001-S,loc_wh_eu,2,${AT}`, `APP-0001-M,loc_wh_eu,5 pcs,${AT}`, `APP-0001-S,loc_wh_east,1 dozen,${AT}`), context())
    assert.deepEqual(batchOf(good).records.map((r) => r.quantity), [12, 5, 12])
  })

  it('reads a time without an offset as the partner\'s wall clock, and one with an offset as it says', () => {
    const mapping = snapshotMapping({ asOf: field('at', iso(120)) })
    const batch = snapshotOf(applyMapping(mapping, csv('sku,loc,qty,at', 'APP-0001-S,loc_wh_eu,1,2026-10-01 08:00', 'APP-0001-M,loc_wh_eu,1,2026-10-01T08:00:00-05:00'), context()))
    assert.deepEqual(batch.records.map((r) => r.asOf), ['2026-10-01T06:00:00.000Z', '2026-10-01T13:00:00.000Z'])
  })

  it('keys the batch by partner and file: the same file again is the same batch', () => {
    const file = `sku,loc,qty,at\nAPP-0001-S,loc_wh_eu,1,${AT}\n`
    const key = (content: string, partner: string) => batchOf(applyMapping(snapshotMapping(), parseFeed(content), context({}, partner))).idempotencyKey
    assert.equal(key(file, 'p1'), key(file, 'p1'))
    assert.notEqual(key(file, 'p1'), key(file, 'p2'))
    assert.notEqual(key(file, 'p1'), key(file.replace(',1,', ',2,'), 'p1'))
  })

  it('refuses a mapping that cannot apply to the file, listing every reason', () => {
    const mapping = readMapping({
      version: 1,
      kind: 'stock-snapshot',
      fields: { sku: field('Item', text()), quantity: field('qty', units({ unit: 'pack', packSizeColumn: 'Pack' })), asOf: field('at', iso()), quantityName: field(null, { kind: 'constant', value: 'RESERVED' }) },
    })
    assert.throws(() => applyMapping(mapping, csv('sku,loc,qty,at'), context()), (error: unknown) => {
      assert.ok(error instanceof FeedError)
      assert.equal(error.code, 'FEED_MAPPING_INVALID')
      assert.deepEqual(error.problems, [
        "sku reads column 'Item', which the file does not have",
        'locationId is required and not mapped',
        "quantity takes its pack size from column 'Pack', which the file does not have",
        'a snapshot cannot set RESERVED: its quantity name is one of ON_HAND, AVAILABLE, DAMAGED, SAFETY_STOCK, QUALITY_CONTROL',
      ])
      return true
    })
    const weight = snapshotMapping({ quantity: field('qty', units({ unit: 'weight' })) })
    assert.throws(() => applyMapping(weight, csv('sku,loc,qty,at'), context()), /counted by weight/)
  })
})

describe('applyMapping to a shipment confirmation', () => {
  it('adds up the lines of one level and state, and refuses a line of 0 units', () => {
    const feed = csv('sku,loc,qty,at,ref,order', `APP-0001-S,loc_wh_eu,2,${AT},S1,ord_1`, `APP-0001-S,loc_wh_eu,3,${AT},S1,ord_2`, `APP-0001-S,loc_wh_eu,1,${AT},S2,`)
    assert.deepEqual(batchOf(applyMapping(shipmentMapping, feed, context())).changes, [
      { sku: 'APP-0001-S', locationId: 'loc_wh_eu', name: 'COMMITTED', delta: -5 },
      { sku: 'APP-0001-S', locationId: 'loc_wh_eu', name: 'AVAILABLE', delta: -1 },
    ])
    assert.deepEqual(errorsOf(applyMapping(shipmentMapping, csv('sku,loc,qty,at,ref,order', `APP-0001-S,loc_wh_eu,0,${AT},S1,`), context())), [[1, 'INVALID_QUANTITY', 'qty']])
  })
})
