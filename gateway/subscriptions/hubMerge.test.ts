import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { delivered, event, hubHarness, next, NO_METRICS } from './hubHarness.ts'

describe('SubscriptionHub: resumers', () => {
  it('gives a resumer its own upstream from its cursor and merges it into the live one once both stand at the same event', async () => {
    const { transport, hub, subscribe, emit } = hubHarness()
    const live = subscribe()
    const liveUpstream = await transport.nth(1)
    emit(liveUpstream, event('c1', 10))
    emit(liveUpstream, event('c2', 9))
    assert.deepEqual(await next(live), delivered(event('c1', 10)))
    assert.deepEqual(await next(live), delivered(event('c2', 9)))

    // one already streaming has sent events the resumer needs: it replays on its own
    const resumer = subscribe({ variables: { sku: 'A', after: 'c1' } })
    const replay = await transport.nth(2)
    assert.deepEqual(replay.request.variables, { sku: 'A', __gatewayAfter: 'c1' })
    assert.equal(hub.metrics().upstreamSubscriptions, 2)

    emit(replay, event('c2', 9))
    assert.deepEqual(await next(resumer), delivered(event('c2', 9)))
    await replay.released
    assert.equal(liveUpstream.unsubscribed, false, 'the live upstream survives')
    const merged = hub.metrics()
    assert.deepEqual(merged, {
      ...NO_METRICS, subscribers: 2, upstreamSubscriptions: 1, upstreamSubscribes: 2, upstreamMerges: 1, upstreamEvents: 3, executions: 3, entityFetches: 3, delivered: 3,
    })

    // `after` shaped only the upstream: one execution serves both now
    emit(liveUpstream, event('c3', 8))
    assert.deepEqual(await next(live), delivered(event('c3', 8)))
    assert.deepEqual(await next(resumer), delivered(event('c3', 8)))
    assert.deepEqual(hub.metrics(), { ...merged, upstreamEvents: 4, executions: 4, entityFetches: 4, delivered: 5 })
  })

  it('keeps a resumer apart while it is behind the live stream, and never delivers it the live events it has not reached', async () => {
    const { transport, hub, subscribe, emit } = hubHarness()
    const live = subscribe()
    const liveUpstream = await transport.nth(1)
    emit(liveUpstream, event('c1', 10))
    assert.deepEqual(await next(live), delivered(event('c1', 10)))
    const resumer = subscribe({ variables: { sku: 'A', after: 'c1' } })
    const replay = await transport.nth(2)

    emit(liveUpstream, event('c2', 9))
    emit(liveUpstream, event('c3', 8))
    assert.deepEqual(await next(live), delivered(event('c2', 9)))
    assert.deepEqual(await next(live), delivered(event('c3', 8)))
    emit(replay, event('c2', 9))
    assert.deepEqual(await next(resumer), delivered(event('c2', 9)), 'its own replay, not the live c3')
    assert.equal(hub.metrics().upstreamMerges, 0, 'at c2, the live one at c3')

    emit(replay, event('c3', 8))
    assert.deepEqual(await next(resumer), delivered(event('c3', 8)))
    await replay.released
    emit(liveUpstream, event('c4', 7))
    assert.deepEqual(await next(live), delivered(event('c4', 7)))
    assert.deepEqual(await next(resumer), delivered(event('c4', 7)))
    assert.deepEqual(hub.metrics(), {
      ...NO_METRICS, subscribers: 2, upstreamSubscriptions: 1, upstreamSubscribes: 2, upstreamMerges: 1, upstreamEvents: 6, executions: 6, entityFetches: 6, delivered: 7,
    })
  })

  it('merges two resumers that reach the same event with each other, then both into the live upstream', async () => {
    const { transport, hub, subscribe, emit } = hubHarness()
    const live = subscribe()
    const liveUpstream = await transport.nth(1)
    const resumers = [subscribe({ variables: { sku: 'A', after: 'c0' } }), subscribe({ variables: { sku: 'A', after: 'c0' } })]
    const [one, two] = [await transport.nth(2), await transport.nth(3)]
    assert.equal(liveUpstream.request.variables['__gatewayAfter'], null)

    emit(one, event('c1', 10))
    emit(two, event('c1', 10))
    for (const resumer of resumers) assert.deepEqual(await next(resumer), delivered(event('c1', 10)))
    await two.released
    assert.equal(one.unsubscribed, false, 'the first of two resumers survives: neither is live')
    assert.equal(hub.metrics().upstreamSubscriptions, 2)

    // the live upstream has seen nothing yet: it merges on its first event the resumer also ran
    emit(liveUpstream, event('c1', 10))
    assert.deepEqual(await next(live), delivered(event('c1', 10)))
    await one.released
    emit(liveUpstream, event('c2', 9))
    for (const subscriber of [live, ...resumers]) assert.deepEqual(await next(subscriber), delivered(event('c2', 9)))
    assert.deepEqual(hub.metrics(), {
      ...NO_METRICS, subscribers: 3, upstreamSubscriptions: 1, upstreamSubscribes: 3, upstreamMerges: 2, upstreamEvents: 4, executions: 4, entityFetches: 4, delivered: 6,
    })
  })
})
