/**
 * DEDUPLICATION through the whole stack: `on` merges identical client queries in flight, `fetches`
 * shares only identical subgraph fetches, `off` neither. Caches are off so every request reaches
 * the subgraphs; the counts come from the gateway's own `gateway_deduplicated_total`.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { DeduplicationConfig } from '../platform/config.ts'
import { metricValue, openTestDatabase, type TestDatabase } from '../platform/testing.ts'
import { SUBGRAPHS } from '../subgraphs/registry.ts'
import { startStack } from './stack.ts'

const SHELF = `query DedupShelf { products(first: 5) { nodes { id title variants(first: 3) { nodes { sku availableToSell } } } } }`
const IN_FLIGHT = 30

async function sharedWork(database: TestDatabase, deduplication: DeduplicationConfig) {
  const stack = await startStack({
    database,
    gatewayConfig: { deduplication, cache: { enabled: false, ttlSeconds: 60, keyPrefix: null } },
    subgraphConfig: { cache: { enabled: false, ttlSeconds: 60, keyPrefix: null } },
  })
  try {
    const answers = await Promise.all(
      Array.from({ length: IN_FLIGHT }, () => stack.gateway.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: { query: SHELF } })),
    )
    const bodies = answers.map((answer) => answer.json() as { data?: unknown; errors?: unknown })
    for (const body of bodies) assert.equal(body.errors, undefined, JSON.stringify(body.errors))
    // every request got the same full answer, shared or not
    assert.equal(new Set(bodies.map((body) => JSON.stringify(body.data))).size, 1)
    const metrics = (await stack.gateway.inject({ method: 'GET', url: '/metrics' })).body
    return {
      merged: metricValue(metrics, 'gateway_deduplicated_total', { kind: 'merged_query' }) ?? 0,
      shared: metricValue(metrics, 'gateway_deduplicated_total', { kind: 'shared_subgraph_fetch' }) ?? 0,
    }
  } finally {
    await stack.close()
  }
}

describe('DEDUPLICATION', () => {
  let database: TestDatabase
  before(async () => {
    database = await openTestDatabase(SUBGRAPHS)
  })
  after(() => database?.close())

  it('on: identical queries in flight run once', async () => {
    const { merged } = await sharedWork(database, { queries: true, fetches: true })
    assert.ok(merged > 0, `merged ${merged}`)
  })

  it('fetches: queries run each, their identical subgraph fetches are shared', async () => {
    const { merged, shared } = await sharedWork(database, { queries: false, fetches: true })
    assert.equal(merged, 0)
    assert.ok(shared > 0, `shared ${shared}`)
  })

  it('off: nothing is shared', async () => {
    assert.deepEqual(await sharedWork(database, { queries: false, fetches: false }), { merged: 0, shared: 0 })
  })
})
