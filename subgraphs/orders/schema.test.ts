import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { enumValuesOf } from '../../platform/testing.ts'

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8')

describe('orders schema.graphql', () => {
  it('keeps every error code of the design contract and adds the concurrent-request one', () => {
    const codes = enumValuesOf(read('./schema.graphql'), 'OrderErrorCode')
    assert.deepEqual(codes, [
      'NOT_FOUND', 'INVALID', 'INSUFFICIENT_STOCK', 'CART_EXPIRED', 'TOTAL_CHANGED', 'PAYMENT_DECLINED',
      'QUANTITY_EXCEEDS_FULFILLABLE', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_CONCURRENT_REQUEST',
    ])
  })
})
