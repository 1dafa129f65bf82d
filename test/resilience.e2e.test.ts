// A subgraph that fails, through the gateway: the rest of the data keeps coming, the breaker opens
// so its fields fail at once, and closes by itself once the subgraph is back.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildGatewayApp } from '../gateway/app.ts'
import { signToken } from '../gateway/auth.ts'
import { eventually, metricValue, testConfig } from '../platform/testing.ts'
import { collect, wsClient } from '../platform/wsTesting.ts'
import { inventory } from '../subgraphs/inventory/subgraph.ts'
import { asStaff, composedSupergraph, query, stackForTests, startStack, type Stack } from './stack.ts'

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
    // the breaker opens after five failed calls in a row (each after its retries)
    let failures = 2
    while ((await inventoryError())?.extensions?.['code'] === 'SUBGRAPH_UNAVAILABLE') assert.ok(++failures <= 5, 'open after five failed calls')
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

describe('two inventory replicas, one of them killed', () => {
  let stack: Stack
  let replica: FastifyInstance
  let gateway: FastifyInstance
  before(async () => {
    stack = await startStack()
    replica = await inventory.buildApp({ config: testConfig, db: stack.test.db, ...(stack.bus ? { bus: stack.bus } : {}) })
    await replica.listen({ host: '127.0.0.1', port: 0 })
    const address = replica.server.address() as { port: number }
    // a gateway that knows both replicas: SUBGRAPH_INVENTORY_URL=<stack's>,<replica's>
    gateway = await buildGatewayApp({
      config: { ...stack.config, subgraphReplicaUrls: { inventory: [stack.urls.inventory, `http://127.0.0.1:${address.port}/graphql`] } },
      supergraph: composedSupergraph(),
    })
    await gateway.ready()
  })
  after(async () => {
    await gateway.close()
    await replica.close()
    await stack.close()
  })

  const ask = async () => {
    const body = JSON.stringify({ query: PRODUCT.replace('inventoryItem { tracked }', 'inventoryItem { tracked } availableToSell') })
    const response = await gateway.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: body })
    return response.json() as { data?: { product: { variants: { nodes: { availableToSell: number | null }[] } } }; errors?: unknown[] }
  }

  it("keeps a partner's stock subscription streaming when the replica it was on dies", async () => {
    await gateway.listen({ host: '127.0.0.1', port: 0 })
    const port = (gateway.server.address() as { port: number }).port
    const token = await signToken({ sub: 'partner_replicas', roles: ['partner'], scopes: ['stock:read'] }, stack.config)
    const client = wsClient(`ws://127.0.0.1:${port}/graphql`, { authorization: `Bearer ${token}` })
    const sku = 'APP-0002-M'
    const feed = collect(client, 'subscription ($skus: [String!]) { stockLevelChanged(filter: { skus: $skus }) { sku changes { name after } } }', { skus: [sku] })
    let adjustments = 0
    const adjust = async () => {
      const { body } = await query(stack, 'mutation ($input: InventoryAdjustInput!) { inventoryAdjustQuantities(input: $input) { userErrors { code } } }', {
        input: { idempotencyKey: `replicas-${process.pid}-${++adjustments}`, reason: 'CORRECTION', changes: [{ sku, locationId: 'loc_wh_east', name: 'AVAILABLE', delta: 1, changeFromQuantity: null }] },
      }, asStaff)
      assert.deepEqual(body.data?.['inventoryAdjustQuantities']?.userErrors, [])
      await stack.flushEvents()
    }
    // the first event proves the upstream is connected, to one replica or the other
    await eventually('the first event', async () => {
      await adjust()
      return feed.results.length > 0
    }, 10_000)
    const before = feed.results.length
    await stack.stopSubgraph('inventory')
    // adjusted through the replica that lives (the stack's gateway would call the dead one: ask the replica's own API through ours)
    const ADJUST_BODY = (n: number) => JSON.stringify({
      query: 'mutation ($input: InventoryAdjustInput!) { inventoryAdjustQuantities(input: $input) { userErrors { code } } }',
      variables: { input: { idempotencyKey: `replicas-after-${process.pid}-${n}`, reason: 'CORRECTION', changes: [{ sku, locationId: 'loc_wh_east', name: 'AVAILABLE', delta: 1, changeFromQuantity: null }] } },
    })
    const staffToken = await signToken(asStaff, stack.config)
    let n = 0
    await eventually('an event after the replica died', async () => {
      const response = await gateway.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', authorization: `Bearer ${staffToken}` }, payload: ADJUST_BODY(++n) })
      assert.deepEqual(response.json().data?.inventoryAdjustQuantities?.userErrors, [], response.body)
      return feed.results.length > before
    }, 20_000)
    assert.ok(feed.results.every((r) => r.errors === undefined), JSON.stringify(feed.results.find((r) => r.errors)))
    feed.stop()
    await client.dispose()
    await stack.startSubgraph('inventory')
  })

  it('answers every query in full, before and after one replica dies, and reports the gateway ready', async () => {
    for (let i = 0; i < 4; i++) assert.equal((await ask()).errors, undefined)
    await stack.stopSubgraph('inventory')
    for (let i = 0; i < 10; i++) {
      const answer = await ask()
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors))
      assert.ok(answer.data!.product.variants.nodes.every((v) => typeof v.availableToSell === 'number'))
    }
    const ready = await gateway.inject({ method: 'GET', url: '/readyz' })
    assert.equal(ready.statusCode, 200, ready.body)
    const metrics = (await gateway.inject({ method: 'GET', url: '/metrics' })).body
    assert.equal(metricValue(metrics, 'subgraph_circuit_state', { subgraph: 'inventory', state: 'closed' }), 1)
  })
})
