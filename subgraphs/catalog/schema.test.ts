import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { enumValuesOf } from '../../platform/testing.ts'

const schema = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')
/** The error codes of the design contract, which clients rely on. */
const DESIGN_CODES = ['NOT_FOUND', 'INVALID', 'CURRENCY_NOT_ENABLED', 'OVERLAPPING_VALIDITY', 'IDEMPOTENCY_KEY_REUSED']

describe('schema.graphql', () => {
  it('keeps every error code of the design and adds IDEMPOTENCY_CONCURRENT_REQUEST', () => {
    assert.deepEqual(enumValuesOf(schema, 'CatalogErrorCode'), [...DESIGN_CODES, 'IDEMPOTENCY_CONCURRENT_REQUEST'])
  })
})
