import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { apiSchemaOf } from '../../contracts/buildManifest.ts'
import { loadConfig } from '../../platform/config.ts'
import { loadManifests } from '../../contracts/manifest.ts'
import { createOperationGuard } from './operationGuard.ts'
import { persistedOperationsOverLimits } from './persistedOperationLimits.ts'

const supergraph = readFileSync('supergraph.graphql', 'utf8')
const schema = apiSchemaOf(supergraph)
const config = loadConfig({})
const guard = createOperationGuard(config)
guard.update(supergraph)

describe('persisted operations measured when they load', () => {
  it('finds every shipped manifest operation within the default limits', () => {
    assert.deepEqual(persistedOperationsOverLimits(schema, loadManifests('operations').operations.values(), guard, config.limits), [])
  })

  it('names the client, the operation and the limit it breaks, for its worst variables', () => {
    const operations = [
      { client: 'storefront', id: 'a', name: 'Wide', type: 'query' as const, body: 'query Wide($n: Int) { products(first: $n) { nodes { variants(first: 100) { nodes { id } } } } }' },
      { client: 'partner', id: 'b', name: 'Long', type: 'query' as const, body: `query Long { ${'__typename '.repeat(1001)} }` },
      { client: 'storefront', id: 'c', name: 'Fine', type: 'query' as const, body: 'query Fine($n: Int = 10) { products(first: $n) { nodes { id } } }' },
    ]
    const over = persistedOperationsOverLimits(schema, operations, guard, config.limits)
    assert.deepEqual(
      over.map(({ client, name, violation }) => [client, name, violation.code, violation.limit, violation.actual]),
      [
        ['storefront', 'Wide', 'COST_LIMIT_EXCEEDED', 5000, 1 + 100 * 102],
        ['partner', 'Long', 'MAX_TOKENS_EXCEEDED', 1000, 1001],
      ],
    )
  })
})
