// A subgraph that fails, through the gateway: the rest of the data keeps coming, the breaker opens
// so its fields fail at once, and closes by itself once the subgraph is back.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { eventually, metricValue } from '../platform/testing.ts'
import { query, stackForTests, startStack } from './stack.ts'

const PRODUCT = `{ product(handle: "classic-tee-001") { title variants(first: 2) { nodes { sku inventoryItem { tracked } } } } }`

describe('a subgraph that goes down and comes back', () => {
  const stack = stackForTests(() => startStack({ gatewayConfig: { circuitOpenMs: 400, subgraphRetries: 2 } }))
  const inventoryError = async () => {
    const { statusCode, body } = await query(stack, PRODUCT, {})
    assert.equal(statusCode, 200)
    assert.equal(body.data!['product'].title, 'Classic Tee 001', 'catalog still answers')
    return body.errors?.find((e) => e.extensions?.['serviceName'] === 'inventory')
  }

  it('fails its fields with SUBGRAPH_UNAVAILABLE, then at once with CIRCUIT_OPEN, and heals without a human', async () => {
    await stack.stopSubgraph('inventory')
    const first = await inventoryError()
    assert.equal(first?.extensions?.['code'], 'SUBGRAPH_UNAVAILABLE')
    // availableToSell is inventory's, on catalog's variant: nullable, so the listing survives it
    const listing = await query(stack, '{ products(first: 3) { nodes { title variants(first: 2) { nodes { sku availableToSell } } } } }', {})
    assert.equal(listing.body.data!['products'].nodes.length, 3)
    for (const product of listing.body.data!['products'].nodes) {
      assert.ok(product.title)
      for (const variant of product.variants.nodes) assert.equal(variant.availableToSell, null)
    }
    assert.ok(listing.body.errors?.some((e) => e.extensions?.['serviceName'] === 'inventory'))
    // each query tries three times: the breaker opens after five failures in a row
    const started = performance.now()
    const open = await inventoryError()
    assert.equal(open?.extensions?.['code'], 'CIRCUIT_OPEN')
    assert.ok(Number(open?.extensions?.['retryAfter']) >= 1)
    assert.ok(performance.now() - started < 200, 'refused at once')
    const metrics = (await stack.gateway.inject({ method: 'GET', url: '/metrics' })).body
    assert.equal(metricValue(metrics, 'subgraph_circuit_state', { subgraph: 'inventory', state: 'open' }), 1)
    assert.ok((metricValue(metrics, 'subgraph_transport_total', { subgraph: 'inventory', event: 'retry' }) ?? 0) >= 2)

    await stack.startSubgraph('inventory')
    const healed = performance.now()
    await eventually('the answers to be whole again', async () => (await inventoryError()) === undefined, 5000)
    const recoveryMs = performance.now() - healed
    assert.ok(recoveryMs < 2000, `recovered in ${Math.round(recoveryMs)} ms`)
    const after = (await stack.gateway.inject({ method: 'GET', url: '/metrics' })).body
    assert.equal(metricValue(after, 'subgraph_circuit_state', { subgraph: 'inventory', state: 'closed' }), 1)
  })
})
