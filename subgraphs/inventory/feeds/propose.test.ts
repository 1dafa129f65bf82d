import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseFeed } from './parse.ts'
import { profileFeed } from './profile.ts'
import { CONFIDENT, MIN_CONFIDENCE, proposeMapping, type KnownValues } from './propose.ts'
import type { FeedKind } from './fields.ts'

const propose = (csv: string, kind: FeedKind = 'stock-snapshot', known?: KnownValues) => proposeMapping(profileFeed(parseFeed(csv)), kind, known)
const columnOf = (proposal: ReturnType<typeof propose>, field: string) => Object.entries(proposal.mapping.fields).find(([f]) => f === field)?.[1]?.column
const blockingOf = (proposal: ReturnType<typeof propose>) => proposal.review.filter((r) => r.blocking).map((r) => [r.field, r.reason])

describe('proposeMapping', () => {
  it('maps by values alone when headers say nothing, each field a guess for review', () => {
    const proposal = propose('c1,c2,c3,c4\nAPP-0001-S,loc_wh_eu,4,2026-10-01T06:00:00Z\nAPP-0001-M,loc_wh_eu,0,2026-10-01T06:00:00Z\nFTW-0045-42,loc_wh_east,12,2026-10-01T06:00:00Z\n')
    assert.deepEqual(['sku', 'locationId', 'quantity', 'asOf'].map((f) => columnOf(proposal, f)), ['c1', 'c2', 'c3', 'c4'])
    for (const field of ['sku', 'locationId', 'quantity', 'asOf'] as const) {
      const { confidence } = proposal.mapping.fields[field]!
      assert.ok(confidence >= MIN_CONFIDENCE && confidence < CONFIDENT, `${field} ${confidence}`)
    }
    assert.ok(proposal.review.filter((r) => r.reason.includes('is a guess')).length >= 4)
  })

  it('takes known SKUs and locations as evidence for a partner\'s own-looking values', () => {
    const csv = 'ref,site,units,date\nX100,W1,4,2026-10-01\nX200,W2,2,2026-10-02\nX300,W1,1,2026-10-03\n'
    const without = propose(csv)
    const known = propose(csv, 'stock-snapshot', { skus: new Set(['X100', 'X200', 'X300']), locationCodes: { W1: 'loc_wh_eu', W2: 'loc_wh_east' } })
    assert.equal(columnOf(known, 'sku'), 'ref')
    assert.ok(known.mapping.fields.sku!.confidence > (without.mapping.fields.sku?.confidence ?? 0))
    assert.deepEqual(blockingOf(known), [])
    assert.equal(known.ready, true)
  })

  it('forgives typos and abbreviations in headers', () => {
    const proposal = propose('Itme No;Warehous;Qnty;Snapshot Dat\nAPP-0001-S;loc_wh_eu;3;2026-10-01\n')
    assert.deepEqual(['sku', 'locationId', 'quantity', 'asOf'].map((f) => columnOf(proposal, f)), ['Itme No', 'Warehous', 'Qnty', 'Snapshot Dat'])
  })

  it('assigns one column to one field, the better fit first', () => {
    // two date columns: the snapshot time goes to asOf; `updated` is left over, not mapped twice
    const proposal = propose('sku,warehouse,qty,snapshot_at,updated\nAPP-0001-S,loc_wh_eu,1,2026-10-01T06:00:00Z,2026-09-01T00:00:00Z\n')
    assert.equal(columnOf(proposal, 'asOf'), 'snapshot_at')
    assert.deepEqual(proposal.candidates.asOf!.map((c) => c.column), ['snapshot_at', 'updated'])
    assert.equal(new Set(Object.values(proposal.mapping.fields).map((f) => f.column).filter((c) => c !== null)).size, Object.values(proposal.mapping.fields).filter((f) => f.column !== null).length)
  })

  it('needs a pack size for cases with no pack size column, and refuses counts by weight', () => {
    const cases = propose('sku,warehouse,qty_cases,date\nAPP-0001-S,loc_wh_eu,3,2026-10-01\n')
    assert.deepEqual(cases.mapping.fields.quantity!.transform, { kind: 'quantity', unit: 'pack', packSize: null, packSizeColumn: null, decimalComma: false })
    assert.deepEqual(blockingOf(cases), [['quantity', 'counted in cases: a pack size is needed']])
    assert.equal(cases.ready, false)
    const weight = propose('sku,warehouse,stock kg,date\nAPP-0001-S,loc_wh_eu,3.5,2026-10-01\n')
    assert.deepEqual(blockingOf(weight), [['quantity', 'counted by weight (kg): it does not convert into units']])
  })

  it('proposes day-first for dates no day above 12 settles, and says so', () => {
    const proposal = propose('sku;warehouse;qty;date\nAPP-0001-S;loc_wh_eu;3;01/02/2026\nAPP-0001-M;loc_wh_eu;3;03/04/2026\n')
    assert.deepEqual(proposal.mapping.fields.asOf!.transform, { kind: 'timestamp', format: 'DD/MM/YYYY', utcOffsetMinutes: 0 })
    assert.ok(proposal.review.some((r) => r.field === 'asOf' && !r.blocking && /day-first/.test(r.reason)))
  })

  it('flags barcodes where SKUs should be, and states it does not know', () => {
    const barcodes = propose('ean,warehouse,qty,date\n4006381333931,loc_wh_eu,1,2026-10-01\n')
    assert.equal(columnOf(barcodes, 'sku'), 'ean')
    assert.match(blockingOf(barcodes)[0]![1]!, /barcodes/)
    const states = propose('sku,warehouse,qty,date,status\nAPP-0001-S,loc_wh_eu,1,2026-10-01,available\nAPP-0001-S,loc_wh_eu,1,2026-10-01,blocked\n')
    assert.deepEqual(states.mapping.fields.quantityName!.transform, { kind: 'quantityName', values: { available: 'AVAILABLE' } })
    assert.deepEqual(blockingOf(states), [['quantityName', "values 'blocked' name no stock state we know: give each its state"]])
  })

  it('is not ready when the quantity is a state a snapshot may not set', () => {
    const proposal = propose('sku,warehouse,qty_reserved,date\nAPP-0001-S,loc_wh_eu,1,2026-10-01\n')
    assert.deepEqual(proposal.mapping.fields.quantityName!.transform, { kind: 'constant', value: 'RESERVED' })
    assert.equal(proposal.ready, false)
  })

  it('reports required fields no column holds, with nothing proposed for them', () => {
    const proposal = propose('sku,qty\nAPP-0001-S,1\n', 'shipment-confirmation')
    assert.deepEqual(proposal.unmappedRequired, ['locationId', 'shippedAt', 'reference'])
    assert.equal(proposal.confidence, 0)
    assert.deepEqual(blockingOf(proposal).map(([field]) => field), ['locationId', 'shippedAt', 'reference'])
  })
})
