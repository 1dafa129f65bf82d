import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { GraphQLError, parse } from 'graphql'
import { STOCK_URL } from './tinySupergraph.ts'
import { SHARED_SUBJECT } from './visibility.ts'
import { delivered, EU_PARTNER, event, FEED_QUERY, hubHarness, next, NO_METRICS, OTHER_PARTNER, PARTNER } from './hubHarness.ts'

describe('SubscriptionHub: which subscribers share an upstream', () => {
  it('serves two subscribers of the same operation from one upstream and one execution per event', async () => {
    const { transport, hub, subscribe, emit } = hubHarness()
    const first = subscribe({ viewer: PARTNER })
    const second = subscribe({ viewer: OTHER_PARTNER })
    assert.equal(transport.subscriptions.length, 1)
    const upstream = await transport.nth(1)
    // two partners see the same: the upstream names neither
    assert.deepEqual(upstream.request.viewer, { sub: SHARED_SUBJECT, roles: ['partner'], scopes: ['stock:read'], locationIds: null })
    assert.equal(upstream.request.url, STOCK_URL)
    assert.deepEqual(upstream.request.variables, { sku: 'A', __gatewayAfter: null })

    emit(upstream, event('c1', 10))
    assert.deepEqual(await next(first), delivered(event('c1', 10)))
    assert.deepEqual(await next(second), delivered(event('c1', 10)))
    assert.deepEqual(hub.metrics(), {
      ...NO_METRICS, subscribers: 2, upstreamSubscriptions: 1, upstreamSubscribes: 1, upstreamEvents: 1, executions: 1, entityFetches: 1, delivered: 2,
    })
  })

  it('shares the upstream and the event\'s entity fetch with the same selection under another operation name', async () => {
    const { tiny, transport, hub, subscribe, emit } = hubHarness()
    const feed = subscribe()
    const renamed = subscribe({ query: FEED_QUERY.replace('subscription Feed(', 'subscription OtherFeed('), operationName: 'OtherFeed' })
    assert.equal(transport.subscriptions.length, 1)
    emit(await transport.nth(1), event('c1', 10))
    assert.deepEqual(await next(feed), delivered(event('c1', 10)))
    assert.deepEqual(await next(renamed), delivered(event('c1', 10)))
    assert.deepEqual(tiny.catalogLookups, ['A'], 'catalog is asked once for the event')
    assert.deepEqual(hub.metrics(), {
      ...NO_METRICS, subscribers: 2, upstreamSubscriptions: 1, upstreamSubscribes: 1, upstreamEvents: 1, executions: 2, entityFetches: 1, entityFetchesShared: 1, delivered: 2,
    })
  })

  it('opens another upstream for another visibility and for other upstream variables', async () => {
    const { transport, hub, subscribe } = hubHarness()
    subscribe({ viewer: PARTNER })
    subscribe({ viewer: EU_PARTNER })
    subscribe({ viewer: PARTNER, variables: { sku: 'B' } })
    subscribe({ viewer: OTHER_PARTNER })
    assert.deepEqual(
      transport.subscriptions.map((s) => [s.request.viewer.locationIds, s.request.variables['sku']]),
      [[null, 'A'], [['loc_eu'], 'A'], [null, 'B']],
    )
    assert.deepEqual(hub.metrics(), { ...NO_METRICS, subscribers: 4, upstreamSubscriptions: 3, upstreamSubscribes: 3 })
  })

  it('unsubscribes upstream when its last subscriber leaves, and counts them out', async () => {
    const { transport, hub, subscribe } = hubHarness()
    const first = subscribe()
    const second = subscribe()
    const upstream = await transport.nth(1)
    await first.return?.()
    assert.equal(upstream.unsubscribed, false, 'the other subscriber still listens')
    assert.deepEqual(hub.metrics(), { ...NO_METRICS, subscribers: 1, upstreamSubscriptions: 1, upstreamSubscribes: 1 })
    await second.return?.()
    assert.equal(upstream.unsubscribed, true)
    assert.deepEqual(hub.metrics(), { ...NO_METRICS, upstreamSubscribes: 1 })
  })

  it('answers an operation that is not a subscription, or cannot be planned, with a coded error', () => {
    const { tiny, hub } = hubHarness()
    const start = (query: string) => {
      const started = hub.subscribe(tiny.runtime, { query, document: parse(query), operationName: undefined, variables: {}, viewer: PARTNER, onSlowConsumer: () => {} })
      assert.ok('errors' in started)
      return started.errors?.map((e) => e.extensions['code'])
    }
    assert.deepEqual(start('{ stockHealthy }'), ['BAD_REQUEST'])
    assert.deepEqual(start('subscription { nope }'), ['GRAPHQL_VALIDATION_FAILED'])
  })

  it('ends its subscribers with the subgraph\'s errors when the subgraph refuses the subscription, without retrying', async () => {
    const { transport, clock, hub, subscribe } = hubHarness()
    const subscriber = subscribe()
    const upstream = await transport.nth(1)
    const refusal = new GraphQLError('The cursor has expired', { extensions: { code: 'BAD_USER_INPUT' } })
    upstream.emit({ data: { stockChanged: null }, errors: [refusal] })
    assert.deepEqual(await next(subscriber), { data: null, errors: [{ message: 'The cursor has expired', extensions: { code: 'BAD_USER_INPUT' } }] })
    assert.equal(await next(subscriber), 'done')
    assert.equal(upstream.unsubscribed, true)
    assert.equal(clock.pending, 0, 'no retry')
    assert.deepEqual(hub.metrics(), { ...NO_METRICS, upstreamSubscribes: 1, upstreamEvents: 1 })
  })
})
