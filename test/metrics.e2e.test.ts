// Prometheus metrics of the running supergraph: what a request, a cache hit, an error and an
// event leave at `GET /metrics` of the gateway and of the subgraphs.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { metricValue } from '../platform/testing.ts'
import { buildWorld } from '../seed/world.ts'
import { asStaff, query, stackForTests } from './stack.ts'

const world = buildWorld()
const scrape = async (app: FastifyInstance) => {
  const response = await app.inject({ method: 'GET', url: '/metrics' })
  assert.equal(response.statusCode, 200)
  assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/)
  return response.body
}

describe('Prometheus metrics of the supergraph', () => {
  const stack = stackForTests()

  it('times each operation by name, each subgraph fetch, and counts cache hits and errors by code at the gateway', async () => {
    const product = world.products.find((p) => p.status === 'ACTIVE')!
    const PAGE = `query MetricsProductPage($handle: String!) { product(handle: $handle) { title variants(first: 3) { nodes { sku availableToSell } } } }`
    for (let i = 0; i < 3; i++) assert.equal((await query(stack, PAGE, { handle: product.handle })).body.errors, undefined)
    const refused = await query(stack, 'query MetricsMyOrders { orders(first: 1) { nodes { id } } }', {})
    const code = refused.body.errors?.[0]?.extensions?.['code'] as string
    assert.ok(code)
    const text = await scrape(stack.gateway)
    assert.equal(metricValue(text, 'graphql_operation_duration_seconds_count', { operation_name: 'MetricsProductPage', operation_type: 'query', service: 'gateway' }), 3)
    assert.ok((metricValue(text, 'subgraph_fetch_duration_seconds_count', { subgraph: 'catalog', outcome: 'ok' }) ?? 0) >= 1)
    assert.ok((metricValue(text, 'subgraph_fetch_duration_seconds_count', { subgraph: 'inventory', outcome: 'ok' }) ?? 0) >= 1)
    assert.ok((metricValue(text, 'gateway_response_cache_total', { result: 'hit' }) ?? 0) >= 2)
    assert.ok((metricValue(text, 'graphql_errors_total', { code }) ?? 0) >= 1)
    assert.ok((metricValue(text, 'http_request_duration_seconds_count', { method: 'POST', route: '/graphql', status_code: '200' }) ?? 0) >= 4)
    assert.equal(metricValue(text, 'graphql_ws_connections'), 0)
    assert.ok((metricValue(text, 'process_resident_memory_bytes', { service: 'gateway' }) ?? 0) > 0)
  })

  it("shows a subgraph's consumers applying an event, its empty outbox, dead letters and cache", async () => {
    const variant = world.variants[11]!
    const SET = `mutation ($input: VariantPricesSetInput!) { variantPricesSet(input: $input) { userErrors { code } } }`
    const { body } = await query(stack, SET, { input: { idempotencyKey: `metrics-${process.pid}`, sku: variant.sku, prices: [{ amount: { minorUnits: '1234', currency: 'USD' }, taxIncluded: false }] } }, asStaff)
    assert.deepEqual(body.data?.['variantPricesSet']?.userErrors, [])
    await stack.flushEvents()
    const orders = await scrape(stack.subgraphs.orders)
    assert.ok((metricValue(orders, 'events_consumed_total', { consumer: 'orders.catalog-events', outcome: 'applied', service: 'orders' }) ?? 0) >= 1)
    assert.ok((metricValue(orders, 'event_consumer_lag_seconds_count', { consumer: 'orders.catalog-events' }) ?? 0) >= 1)
    const catalog = await scrape(stack.subgraphs.catalog)
    assert.equal(metricValue(catalog, 'outbox_unpublished_events', { service: 'catalog' }), 0)
    assert.equal(metricValue(catalog, 'outbox_oldest_unpublished_seconds', { service: 'catalog' }), 0)
    assert.equal(metricValue(catalog, 'dead_letters', { service: 'catalog' }), 0)
    assert.ok((metricValue(catalog, 'subgraph_cache_invalidations_total', { service: 'catalog' }) ?? 0) >= 1)
    assert.ok(metricValue(catalog, 'subgraph_cache_total', { result: 'miss' }) !== undefined)
  })
})
