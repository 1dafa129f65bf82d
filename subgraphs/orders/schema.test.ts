import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8')

describe('orders schema.graphql', () => {
  it('ends with the shared value types exactly as subgraphs/shared.graphql defines them', () => {
    const shared = read('../shared.graphql').split('\n').slice(1).join('\n')
    assert.ok(read('./schema.graphql').endsWith(shared))
  })

  it('keeps every error code of the design contract and adds the concurrent-request one', () => {
    const codes = /enum OrderErrorCode \{([^}]*)\}/.exec(read('./schema.graphql'))?.[1]?.trim().split(/\s+/)
    assert.deepEqual(codes, [
      'NOT_FOUND', 'INVALID', 'INSUFFICIENT_STOCK', 'CART_EXPIRED', 'TOTAL_CHANGED', 'PAYMENT_DECLINED',
      'QUANTITY_EXCEEDS_FULFILLABLE', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_CONCURRENT_REQUEST',
    ])
  })
})
