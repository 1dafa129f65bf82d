import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FeedError } from './errors.ts'
import { readMapping } from './mapping.ts'

function problemsOf(value: unknown): readonly string[] {
  try {
    readMapping(value)
  } catch (error) {
    assert.ok(error instanceof FeedError)
    assert.equal(error.code, 'FEED_MAPPING_INVALID')
    return error.problems
  }
  return assert.fail('expected FEED_MAPPING_INVALID')
}

describe('readMapping', () => {
  it('refuses what is not a mapping object', () => {
    assert.deepEqual(problemsOf(null), ['a mapping is a JSON object'])
    assert.deepEqual(problemsOf([]), ['a mapping is a JSON object'])
  })

  it('lists every problem of a stored mapping at once', () => {
    const problems = problemsOf({
      version: 2,
      kind: 'stock-snapshot',
      fields: {
        sku: { column: 'Item', transform: { kind: 'timestamp', format: 'ISO', utcOffsetMinutes: 0 }, confidence: 1 },
        locationId: { column: 'Warehouse', transform: { kind: 'constant', value: 'loc_wh_eu' }, confidence: 2 },
        quantity: { column: 'Qty', transform: { kind: 'quantity', unit: 'crate', packSize: 0, packSizeColumn: '', decimalComma: 'no' }, confidence: 1 },
        asOf: { column: 'At', transform: { kind: 'timestamp', format: 'YYYYMMDD', utcOffsetMinutes: 1000 }, confidence: 1 },
        quantityName: { column: 'State', transform: { kind: 'quantityName', values: { ok: 'FINE' } }, confidence: 1 },
        reference: { column: 'Ref', transform: { kind: 'text', upperCase: false }, confidence: 1 },
      },
    })
    assert.deepEqual(problems, [
      'version must be 1, got 2',
      'fields.sku.transform.kind must be one of text',
      'fields.locationId.confidence must be a number in [0, 1]',
      'fields.locationId: a constant has no column, and only a constant goes without one',
      'fields.quantity.transform.unit must be one of each, dozen, pack, weight',
      'fields.quantity.transform.packSize must be a positive integer or null',
      'fields.quantity.transform.packSizeColumn must be a header name or null',
      'fields.quantity.transform.decimalComma must be a boolean',
      'fields.asOf.transform.format must be one of ISO, DD/MM/YYYY, MM/DD/YYYY, EPOCH_SECONDS, EPOCH_MILLIS',
      'fields.asOf.transform.utcOffsetMinutes must be an integer within ±840',
      'fields.quantityName.transform.values must map partner values to AVAILABLE, ON_HAND, COMMITTED, RESERVED, INCOMING, DAMAGED, SAFETY_STOCK, QUALITY_CONTROL',
      'fields.reference is not a field of stock-snapshot',
    ])
  })

  it('refuses an unknown kind and fields that are not an object', () => {
    assert.deepEqual(problemsOf({ version: 1, kind: 'returns', fields: [] }), ['kind must be one of stock-snapshot, shipment-confirmation', 'fields must be an object'])
  })
})
