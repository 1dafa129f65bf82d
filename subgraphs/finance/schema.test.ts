import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { enumValuesOf } from '../../platform/testing.ts'

const schema = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')
// the codes of the design contract (shared/design/schema/finance.graphql): clients rely on them
const CONTRACT_CODES = ['NOT_FOUND', 'CURRENCY_MISMATCH', 'AMOUNT_EXCEEDS_CAPTURABLE', 'AMOUNT_EXCEEDS_REFUNDABLE', 'GATEWAY_DECLINED', 'GATEWAY_TIMEOUT', 'IDEMPOTENCY_KEY_REUSED']

const codesOf = (sdl: string) => enumValuesOf(sdl, 'FinanceErrorCode')

describe('finance schema', () => {
  it('documents every error code in the README', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8')
    // the README's table lists exactly the enum's codes, in its order
    const documented = [...readme.matchAll(/^\| ([A-Z_]+) \|/gm)].map((m) => m[1])
    assert.deepEqual(documented, codesOf(schema))
  })

  it('keeps every error code of the contract and adds the idempotency and validation codes', () => {
    const ours = new Set(codesOf(schema))
    for (const code of CONTRACT_CODES) assert.ok(ours.has(code), code)
    for (const code of ['IDEMPOTENCY_CONCURRENT_REQUEST', 'INVALID_AMOUNT', 'ORDER_CANCELLED']) assert.ok(ours.has(code), code)
  })
})
