import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parse, subscribe, type ExecutionResult } from 'graphql'
import pino from 'pino'
import type { FastifyBaseLogger } from 'fastify'
import { executeSubscriptionEvent, loadSupergraph } from './apolloAdapter.ts'
import { FEED, tinySupergraph, titleOf } from './tinySupergraph.ts'

// The contract between the hub and Apollo's internals: if an upgrade changes how a subscription is
// planned or how a plan runs, these fail here rather than in a live stream.
const logger = pino({ level: 'silent' }) as FastifyBaseLogger
const CLIENT = `subscription Feed($sku: String!) {
  feed: stockChanged(sku: $sku) { sku left: available cursor variant { ...V } }
}
fragment V on Variant { title }`

describe('apolloAdapter', () => {
  const tiny = tinySupergraph()
  const supergraph = loadSupergraph(tiny.supergraphSdl)

  it('exposes the API schema and every subgraph with its routing URL', () => {
    assert.deepEqual(supergraph.subgraphs.map((s) => [s.name, s.url]).sort(), [['catalog', 'http://catalog.test/graphql'], ['stock', 'http://stock.test/graphql']])
    assert.deepEqual(Object.keys(supergraph.apiSchema.getSubscriptionType()?.getFields() ?? {}), ['stockChanged'])
  })

  it('plans a federated subscription as one primary fetch to the owning subgraph plus a rest', () => {
    const planned = supergraph.planSubscription(parse(CLIENT), 'Feed')
    assert.ok(planned, 'a Subscription node')
    assert.equal(planned.primary.serviceName, 'stock')
    assert.equal(planned.primary.operationName, 'Feed__stock__0')
    // the primary selects what the rest needs (the entity's key), not what catalog answers
    assert.equal(
      planned.primary.operation,
      'subscription Feed__stock__0($sku:String!){feed:stockChanged(sku:$sku){sku left:available cursor variant{__typename sku}}}',
    )
    assert.equal(planned.hasRest, true)
  })

  it('plans no subscription for a query, and throws for what it cannot plan', () => {
    assert.equal(supergraph.planSubscription(parse('{ stockHealthy }'), undefined), null)
    assert.throws(() => supergraph.planSubscription(parse('subscription { nope }'), undefined))
  })

  it('runs the rest per event of the real subscription, filling entity fields in the client\'s shape', async () => {
    const planned = supergraph.planSubscription(parse(CLIENT), 'Feed')
    assert.ok(planned)
    const events = (await subscribe({ schema: tiny.stockSchema, document: parse(planned.primary.operation), variableValues: { sku: 'A' } })) as AsyncIterableIterator<ExecutionResult>
    const dataSources = Object.fromEntries(tiny.runtime.dataSources)
    const results: ExecutionResult[] = []
    for await (const event of events) {
      results.push(await executeSubscriptionEvent(planned, event, dataSources, { query: CLIENT, variables: { sku: 'A' }, operationName: 'Feed' }, { viewer: { sub: null, roles: [], scopes: [], locationIds: null } }, logger))
    }
    // as the socket sends them (the executor builds null-prototype objects)
    assert.deepEqual(
      JSON.parse(JSON.stringify(results)),
      FEED.map((event) => ({ data: { feed: { sku: 'A', left: event.available, cursor: event.cursor, variant: { title: titleOf('A') } } } })),
    )
    assert.deepEqual(tiny.catalogLookups, ['A', 'A', 'A'], 'one entity fetch per event')
  })

  it('passes an event\'s errors through and leaves the rest unrun when the event has no data', async () => {
    const planned = supergraph.planSubscription(parse(CLIENT), 'Feed')
    assert.ok(planned)
    const lookups = tiny.catalogLookups.length
    const result = await executeSubscriptionEvent(
      planned,
      { data: null, errors: [{ message: 'forbidden', extensions: { code: 'FORBIDDEN' } }] as never },
      Object.fromEntries(tiny.runtime.dataSources),
      { query: CLIENT, variables: { sku: 'A' }, operationName: 'Feed' },
      { viewer: { sub: null, roles: [], scopes: [], locationIds: null } },
      logger,
    )
    assert.equal(result.errors?.[0]?.message, 'forbidden')
    assert.equal(tiny.catalogLookups.length, lookups)
  })
})
