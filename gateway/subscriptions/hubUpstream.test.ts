import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { delivered, EU_PARTNER, event, hubHarness, next, NO_METRICS, PARTNER } from './hubHarness.ts'

const UNAVAILABLE = {
  data: null,
  errors: [{ message: 'Service \'stock\' is unavailable; resume with your last cursor', extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'stock' } }],
}

describe('SubscriptionHub: an upstream\'s life', () => {
  it('re-subscribes a failed upstream with backoff from the cursor of the last event delivered', async () => {
    const { transport, clock, hub, subscribe, emit } = hubHarness()
    const subscriber = subscribe()
    const first = await transport.nth(1)
    emit(first, event('c1', 10))
    assert.deepEqual(await next(subscriber), delivered(event('c1', 10)))

    first.fail()
    await clock.scheduled(1)
    assert.equal(transport.subscriptions.length, 1, 'not before the backoff')
    clock.runNext()
    const second = await transport.nth(2)
    assert.deepEqual(second.request.variables, { sku: 'A', __gatewayAfter: 'c1' })
    emit(second, event('c2', 9))
    assert.deepEqual(await next(subscriber), delivered(event('c2', 9)))

    // the subgraph ends the stream (a redeploy): the same, and an event since reset the backoff
    second.complete()
    await clock.scheduled(2)
    clock.runNext()
    assert.deepEqual((await transport.nth(3)).request.variables, { sku: 'A', __gatewayAfter: 'c2' })
    // 100 ms initially, half of it jittered (random() is 0.5 here)
    assert.deepEqual(clock.delays, [75, 75])
    assert.deepEqual(hub.metrics(), {
      ...NO_METRICS, subscribers: 1, upstreamSubscriptions: 1, upstreamSubscribes: 3, upstreamRetries: 2, upstreamEvents: 2, executions: 2, entityFetches: 2, delivered: 2,
    })
  })

  it('backs off exponentially up to 5 s and gives up with SUBGRAPH_UNAVAILABLE once failing for more than 60 s', async () => {
    const { transport, clock, hub, subscribe } = hubHarness()
    const subscriber = subscribe()
    // failures at 0, 75, 225, 525, 1125, 2325, 4725, then every 3750 ms: the 22nd, at 60975, is past 60 s
    for (let n = 1; n <= 21; n++) {
      ;(await transport.nth(n)).fail()
      await clock.scheduled(n)
      clock.runNext()
    }
    ;(await transport.nth(22)).fail()
    assert.deepEqual(await next(subscriber), UNAVAILABLE)
    assert.equal(await next(subscriber), 'done')
    assert.equal(clock.now(), 60_975)
    assert.deepEqual(clock.delays, [75, 150, 300, 600, 1200, 2400, ...Array<number>(15).fill(3750)])
    assert.equal(clock.pending, 0)
    assert.deepEqual(hub.metrics(), { ...NO_METRICS, upstreamSubscribes: 22, upstreamRetries: 21 })
  })

  it('starts the give-up window again when a connection to the subgraph with the same visibility opens', async () => {
    const { transport, clock, hub, subscribe } = hubHarness({ retry: { giveUpAfterMs: 1000 } })
    const failing = subscribe({ variables: { sku: 'A' } })
    subscribe({ variables: { sku: 'B' } })
    subscribe({ viewer: EU_PARTNER, variables: { sku: 'B' } })
    const [a, sibling, otherVisibility] = [await transport.nth(1), await transport.nth(2), await transport.nth(3)]
    assert.deepEqual([a, sibling, otherVisibility].map((s) => s.request.viewer.locationIds), [null, null, ['loc_eu']])
    a.fail()
    for (let n = 1; n <= 3; n++) {
      await clock.scheduled(n)
      clock.runNext()
      ;(await transport.nth(3 + n)).fail()
    }
    // at 525 ms now; the next failure (1125 ms) is past the window unless something recovered
    await clock.scheduled(4)
    clock.runNext()
    sibling.connect()
    ;(await transport.nth(7)).fail()
    await clock.scheduled(5)
    assert.equal(clock.now(), 1125)
    assert.deepEqual(hub.metrics(), { ...NO_METRICS, subscribers: 3, upstreamSubscriptions: 3, upstreamSubscribes: 7, upstreamRetries: 5 })

    // a connection with another visibility is another connection: it recovers nothing here
    clock.runNext()
    otherVisibility.connect()
    ;(await transport.nth(8)).fail()
    assert.deepEqual(await next(failing), UNAVAILABLE)
    assert.equal(clock.now(), 2325)
    assert.deepEqual(hub.metrics(), { ...NO_METRICS, subscribers: 3, upstreamSubscriptions: 2, upstreamSubscribes: 8, upstreamRetries: 5 })
  })

  it('pauses a resumable upstream whose events outrun their executions and resumes it from its cursor after draining', async () => {
    const { transport, clock, hub, subscribe, emit } = hubHarness({ maxPendingEvents: 2 })
    const subscriber = subscribe()
    const first = await transport.nth(1)
    // three events arrive before any has run: the third is one more than may wait
    emit(first, event('c1', 10))
    emit(first, event('c2', 9))
    emit(first, event('c3', 8))
    assert.equal(first.unsubscribed, true, 'paused at once')
    assert.equal(hub.metrics().upstreamPauses, 1)

    const resumed = await transport.nth(2)
    assert.deepEqual(resumed.request.variables, { sku: 'A', __gatewayAfter: 'c3' }, 'from the last event run')
    emit(resumed, event('c4', 7))
    for (const e of [event('c1', 10), event('c2', 9), event('c3', 8), event('c4', 7)]) assert.deepEqual(await next(subscriber), delivered(e))
    assert.equal(clock.pending, 0, 'a pause is not a failure: no backoff')
    assert.deepEqual(hub.metrics(), {
      ...NO_METRICS, subscribers: 1, upstreamSubscriptions: 1, upstreamSubscribes: 2, upstreamPauses: 1, upstreamEvents: 4, executions: 4, entityFetches: 4, delivered: 4,
    })
  })

  it('stops retrying when the hub closes, and ends its subscribers', async () => {
    const { transport, clock, hub, subscribe } = hubHarness()
    const subscriber = subscribe({ viewer: PARTNER })
    ;(await transport.nth(1)).fail()
    await clock.scheduled(1)
    await hub.close()
    assert.equal(clock.pending, 0, 'the retry is cancelled')
    assert.equal(await next(subscriber), 'done')
    assert.deepEqual(hub.metrics(), { ...NO_METRICS, upstreamSubscribes: 1, upstreamRetries: 1 })
  })
})
