import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { parse, type EnumTypeDefinitionNode } from 'graphql'

const schema = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')
/** The error codes of the design contract, which clients rely on. */
const DESIGN_CODES = ['NOT_FOUND', 'INVALID', 'CURRENCY_NOT_ENABLED', 'OVERLAPPING_VALIDITY', 'IDEMPOTENCY_KEY_REUSED']

describe('schema.graphql', () => {
  it('carries the shared value types byte for byte', () => {
    const shared = readFileSync(new URL('../shared.graphql', import.meta.url), 'utf8')
    const withoutHeading = shared.slice(shared.indexOf('\n') + 1)
    assert.ok(schema.endsWith(withoutHeading), 'the shared block differs from subgraphs/shared.graphql')
  })

  it('keeps every error code of the design and adds IDEMPOTENCY_CONCURRENT_REQUEST', () => {
    const codes = parse(schema).definitions.find(
      (d): d is EnumTypeDefinitionNode => d.kind === 'EnumTypeDefinition' && d.name.value === 'CatalogErrorCode',
    )?.values?.map((v) => v.name.value)
    assert.deepEqual(codes, [...DESIGN_CODES, 'IDEMPOTENCY_CONCURRENT_REQUEST'])
  })
})
