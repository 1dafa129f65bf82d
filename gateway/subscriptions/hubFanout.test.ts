import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { delivered, event, hubHarness, next, NO_METRICS } from './hubHarness.ts'

describe('SubscriptionHub: fan-out', () => {
  it('cuts a subscriber whose buffer passes maxBufferedEvents, once, while the others keep receiving', async () => {
    const { transport, hub, subscribe, emit } = hubHarness({ maxBufferedEvents: 2 })
    let slowCalls = 0
    const stalled = subscribe({ onSlowConsumer: () => slowCalls++ })
    const reader = subscribe()
    const upstream = await transport.nth(1)
    const events = [event('c1', 10), event('c2', 9), event('c3', 8), event('c4', 7)]
    for (const [i, e] of events.entries()) {
      emit(upstream, e)
      assert.deepEqual(await next(reader), delivered(e))
      // pushed to both in one pass: the stalled one has been handled by the time the reader has its copy
      assert.equal(slowCalls, i < 2 ? 0 : 1, `after event ${i + 1}`)
    }
    assert.deepEqual(hub.metrics(), {
      ...NO_METRICS, subscribers: 2, upstreamSubscriptions: 1, upstreamSubscribes: 1, upstreamEvents: 4, executions: 4, entityFetches: 4, delivered: 6, slowConsumerDisconnects: 1,
    })

    // it keeps what was buffered before the cut, and nothing after (the socket layer closes it)
    assert.deepEqual(await next(stalled), delivered(events[0]!))
    assert.deepEqual(await next(stalled), delivered(events[1]!))
    await stalled.return?.()
    assert.equal(await next(stalled), 'done')
    assert.equal(hub.metrics().subscribers, 1)
  })

  it('runs one execution per distinct client operation on a shared upstream and gives each its own shape', async () => {
    const { tiny, transport, hub, subscribe, emit } = hubHarness()
    const query = `subscription Titled($sku: String!, $withTitle: Boolean!) {
      stockChanged(sku: $sku) { sku available cursor variant { title @include(if: $withTitle) } }
    }`
    const titled = subscribe({ query, operationName: 'Titled', variables: { sku: 'A', withTitle: true } })
    const untitled = subscribe({ query, operationName: 'Titled', variables: { sku: 'A', withTitle: false } })
    assert.equal(transport.subscriptions.length, 1, '$withTitle shapes only the rest')
    emit(await transport.nth(1), event('c1', 10))
    assert.deepEqual(await next(titled), delivered(event('c1', 10)))
    assert.deepEqual(await next(untitled), { data: { stockChanged: { sku: 'A', available: 10, cursor: 'c1', variant: {} } } })
    assert.deepEqual(tiny.catalogLookups, ['A'], 'only the titled execution asks catalog')
    assert.deepEqual(hub.metrics(), {
      ...NO_METRICS, subscribers: 2, upstreamSubscriptions: 1, upstreamSubscribes: 1, upstreamEvents: 1, executions: 2, entityFetches: 1, delivered: 2,
    })
  })
})
