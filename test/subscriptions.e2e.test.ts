import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Client } from 'graphql-ws'
import { parse } from 'graphql'
import { signToken, type TokenClaims } from '../gateway/auth.ts'
import { eventually } from '../platform/testing.ts'
import { collect, openRawSocket, wsClient, type Collected } from '../platform/wsTesting.ts'
import { buildWorld } from '../seed/world.ts'
import type { FastifyInstance } from 'fastify'
import { buildGatewayApp } from '../gateway/app.ts'
import { asCustomer, asStaff, composedSupergraph, query, startStack, type Stack } from './stack.ts'

const world = buildWorld()
const activeSkus = new Set(
  world.variants.filter((v) => world.products.find((p) => p.id === v.productId)?.status === 'ACTIVE').map((v) => v.sku),
)
const eurPriced = new Set(world.prices.filter((p) => p.currency === 'EUR' && p.channelId === null).map((p) => p.sku))
// levels only these tests touch: plenty AVAILABLE at the east warehouse, an active product with a EUR price
const levels = world.stockLevels.filter(
  (s) => s.locationId === 'loc_wh_east' && s.available >= 60 && s.reserved === 0 && activeSkus.has(s.sku) && eurPriced.has(s.sku),
)
let nextLevel = 0
const takeLevel = () => {
  const level = levels[nextLevel++]
  if (!level) throw new Error('the world ran out of levels')
  return level
}
const variantOf = (sku: string) => world.variants.find((v) => v.sku === sku)!
const productOf = (sku: string) => world.products.find((p) => p.id === variantOf(sku).productId)!

const PARTNER: TokenClaims = { sub: 'partner_acme', roles: ['partner'], scopes: ['stock:read'] }

// a selection spanning inventory and catalog, with an alias, a fragment, variables and a directive
const FEED = `subscription Feed($filter: StockLevelFilterInput!, $after: String, $withProduct: Boolean!) {
  stock: stockLevelChanged(filter: $filter, after: $after) {
    eventId cursor version sku reason transition
    location { id }
    changes { name before after }
    variant { ...VariantFields product @include(if: $withProduct) { title } }
  }
}
fragment VariantFields on ProductVariant { sku variantTitle: title price(currency: "EUR") { amount { minorUnits currency } } }`

const ADJUST = `mutation ($input: InventoryAdjustInput!) { inventoryAdjustQuantities(input: $input) { userErrors { code field message } } }`

describe('stock subscriptions through the gateway (graphql-ws)', () => {
  let stack: Stack
  let url: string
  let partnerToken: string
  const clients: Client[] = []
  const client = async (claims: TokenClaims = PARTNER) => {
    const c = wsClient(url, { authorization: `Bearer ${await signToken(claims, stack.config)}` })
    clients.push(c)
    return c
  }
  let adjustments = 0
  const adjust = async (sku: string, delta: number, locationId = 'loc_wh_east') => {
    const { body } = await query(stack, ADJUST, {
      input: { idempotencyKey: `sub-e2e-${++adjustments}`, reason: 'CORRECTION', changes: [{ sku, locationId, name: 'AVAILABLE', delta, changeFromQuantity: null }] },
    }, asStaff)
    assert.deepEqual(body.data?.['inventoryAdjustQuantities']?.userErrors, [], JSON.stringify(body))
  }
  const metrics = async () => (await stack.gateway.inject({ method: 'GET', url: '/metrics/subscriptions' })).json() as { [name: string]: number } & Record<'subscribers' | 'upstreamSubscriptions' | 'upstreamEvents' | 'executions' | 'entityFetches' | 'entityFetchesShared' | 'upstreamRetries' | 'upstreamPauses' | 'upstreamMerges' | 'slowConsumerDisconnects', number>
  const waitUntil = eventually
  const feedSubscribers = () => stack.subgraphs.inventory.stockFeed?.subscriberCount ?? -1
  /** Every earlier test's subscriptions are gone, upstream included (counts below start from 0). */
  const settled = () => waitUntil('earlier subscriptions to end', async () => feedSubscribers() === 0 && (await metrics())['upstreamSubscriptions'] === 0)
  /** A level no test has touched, once every earlier test's subscriptions are gone, and the feed's variables for its SKU. */
  const freshLevel = async (withProduct = true) => {
    await settled()
    const level = takeLevel()
    return { level, variables: { filter: { skus: [level.sku] }, withProduct } }
  }
  const availableAfter = (result: { data?: any }) =>
    result.data?.stock.changes.find((c: { name: string }) => c.name === 'AVAILABLE')?.after as number

  before(async () => {
    stack = await startStack({
      gatewayConfig: { websocket: { maxSubscriptions: 5, maxMessageBytes: 4096, maxMessagesPerSecond: 20, maxBufferedEvents: 3, connectionInitTimeoutMs: 300, maxConnectionsPerClient: 50 } },
      // a tiny allowance, so that a replay outruns the per-event executions and the upstream pauses
      subscriptionHub: { maxPendingEvents: 2 },
    })
    url = await stack.gatewayWsUrl()
    partnerToken = await signToken(PARTNER, stack.config)
  })
  after(async () => {
    for (const c of clients) await c.dispose()
    await stack.close()
  })

  it('streams a stock adjustment and a checkout with catalog fields resolved; filters exclude the rest', async () => {
    const { level, variables } = await freshLevel()
    const other = takeLevel()
    const feed = collect(await client(), FEED, variables)
    await waitUntil('the upstream subscription', () => feedSubscribers() === 1)

    await adjust(other.sku, -1)
    await adjust(level.sku, -2)
    const [adjusted] = await feed.waitFor(1)
    assert.equal(adjusted?.errors, undefined, JSON.stringify(adjusted?.errors))
    const event = adjusted?.data?.['stock']
    assert.equal(event.sku, level.sku)
    assert.equal(event.reason, 'CORRECTION')
    assert.equal(event.location.id, 'loc_wh_east')
    assert.deepEqual(event.changes, [
      { name: 'AVAILABLE', before: level.available, after: level.available - 2 },
      { name: 'ON_HAND', before: event.changes[1].before, after: event.changes[1].before - 2 },
    ])
    assert.equal(event.variant.sku, level.sku)
    assert.equal(event.variant.variantTitle, variantOf(level.sku).title)
    assert.equal(event.variant.product.title, productOf(level.sku).title)
    assert.equal(event.variant.price.amount.currency, 'EUR')
    assert.match(event.variant.price.amount.minorUnits, /^\d+$/)
    assert.ok(!('__gatewayCursor' in event), 'the gateway\'s own cursor field stays internal')

    // a checkout reserves the sku (the cart lines are priced in USD; the event is the same)
    const { body: cart } = await query(stack, `mutation ($input: CartLinesAddInput!) { cartLinesAdd(input: $input) { cart { id total { minorUnits currency } } userErrors { code } } }`,
      { input: { idempotencyKey: 'sub-cart', currency: 'USD', countryCode: 'US', lines: [{ sku: level.sku, quantity: 1 }] } }, asCustomer('c_1003'))
    const created = cart.data?.['cartLinesAdd']?.cart
    assert.ok(created, JSON.stringify(cart))
    const { body: placed } = await query(stack, `mutation ($input: CheckoutCompleteInput!) { checkoutComplete(input: $input) { order { id } userErrors { code message } } }`,
      { input: { idempotencyKey: 'sub-checkout', cartId: created.id, paymentMethodToken: 'tok_ok', expectedTotal: created.total } }, asCustomer('c_1003'))
    assert.deepEqual(placed.data?.['checkoutComplete']?.userErrors, [], JSON.stringify(placed))
    const results = await feed.waitFor(2)
    const reserved = results[1]?.data?.['stock']
    assert.equal(reserved.sku, level.sku)
    assert.equal(reserved.changes.find((c: { name: string }) => c.name === 'AVAILABLE').after, level.available - 3)
    assert.equal(reserved.variant.product.title, productOf(level.sku).title)
    await stack.flushEvents()
    assert.ok(feed.results.every((r) => r.data?.['stock'].sku === level.sku), 'only the subscribed sku')
    feed.stop()
  })

  it('shares one upstream subscription and one entity fetch per event across subscribers', async () => {
    const { level, variables } = await freshLevel()
    const c = await client()
    const same = [collect(c, FEED, variables), collect(c, FEED, variables), collect(await client(), FEED, variables)]
    try {
      await waitUntil('subscriptions to start', async () => (await metrics())['subscribers'] === 3 && feedSubscribers() === 1)
      const before = await metrics()
      assert.equal(before['upstreamSubscriptions'], 1)
      assert.equal(feedSubscribers(), 1, 'inventory serves one subscription for all three')

      await adjust(level.sku, -1)
      for (const feed of same) await feed.waitFor(1)
      const afterEvent = await metrics()
      assert.equal(afterEvent['upstreamEvents'] - before['upstreamEvents'], 1)
      assert.equal(afterEvent['executions'] - before['executions'], 1, 'one execution for the three')
      assert.equal(afterEvent['entityFetches'] - before['entityFetches'], 1, 'catalog is asked once for the event')
      assert.deepEqual(same[1]?.results[0], same[0]?.results[0])

      // a different selection of the rest (no product title) rides the same upstream subscription;
      // so does the same selection under another operation name, sharing the event's catalog fetch
      const lean = collect(c, FEED, { ...variables, withProduct: false })
      const renamed = collect(await client({ ...PARTNER, sub: 'partner_other' }), FEED.replace('subscription Feed(', 'subscription OtherFeed('), variables)
      same.push(lean, renamed)
      await waitUntil('the fifth subscriber', async () => (await metrics())['subscribers'] === 5)
      const beforeSecond = await metrics()
      await adjust(level.sku, -1)
      await lean.waitFor(1)
      await renamed.waitFor(1)
      for (const feed of same.slice(0, 3)) await feed.waitFor(2)
      const afterSecond = await metrics()
      assert.equal(afterSecond['upstreamSubscriptions'], 1)
      assert.equal(afterSecond['upstreamEvents'] - beforeSecond['upstreamEvents'], 1)
      assert.equal(afterSecond['executions'] - beforeSecond['executions'], 3, 'one execution per distinct client operation')
      assert.equal(afterSecond['entityFetches'] - beforeSecond['entityFetches'], 2, 'with and without the product title')
      assert.equal(afterSecond['entityFetchesShared'] - beforeSecond['entityFetchesShared'], 1, 'the renamed operation reuses the fetch')
      assert.deepEqual(renamed.results[0]?.data, same[0]?.results[1]?.data)
      assert.equal(lean.results[0]?.data?.['stock'].variant.product, undefined)

      // another visibility (a partner limited to some locations) gets its own upstream
      const limited = collect(await client({ ...PARTNER, sub: 'partner_eu', locationIds: ['loc_wh_eu'] }), FEED, variables)
      same.push(limited)
      await waitUntil('a second upstream', async () => (await metrics())['upstreamSubscriptions'] === 2)
    } finally {
      for (const feed of same) feed.stop()
    }
    await waitUntil('upstreams released', async () => (await metrics())['upstreamSubscriptions'] === 0 && feedSubscribers() === 0)
  })

  it('replays exactly the missed events after a reconnect with `after`, then continues live', async () => {
    const { level, variables } = await freshLevel(false)
    const first = collect(await client(), FEED, variables)
    await waitUntil('the upstream subscription', () => feedSubscribers() === 1)
    await adjust(level.sku, -1)
    const [seen] = await first.waitFor(1)
    const cursor = seen?.data?.['stock'].cursor as string
    // the client dies mid-stream
    await clients.pop()!.dispose()
    await waitUntil('the upstream released', () => feedSubscribers() === 0)

    for (let i = 0; i < 5; i++) await adjust(level.sku, -1)
    const resumed = collect(await client(), FEED, { ...variables, after: cursor })
    const replayed = await resumed.waitFor(5)
    assert.deepEqual(replayed.map(availableAfter), [2, 3, 4, 5, 6].map((n) => level.available - n))
    // a second client resuming from the same cursor later gets the same replay (not a share of a
    // stream that has moved on)
    const twin = collect(await client(), FEED, { ...variables, after: cursor })
    assert.deepEqual((await twin.waitFor(5)).map(availableAfter), [2, 3, 4, 5, 6].map((n) => level.available - n))
    twin.stop()
    await adjust(level.sku, -1)
    const all = await resumed.waitFor(6)
    assert.equal(availableAfter(all[5]!), level.available - 7)
    await stack.flushEvents()
    assert.equal(resumed.results.length, 6, 'nothing twice')
    assert.equal(new Set(resumed.results.map((r) => r.data?.['stock'].eventId)).size, 6)
    resumed.stop()
  })

  it('merges resuming subscribers into the shared upstream once they have caught up (a reconnect storm ends in one upstream)', async () => {
    const { level, variables } = await freshLevel()
    const c = await client()
    const live = collect(c, FEED, variables)
    await waitUntil('the live upstream', () => feedSubscribers() === 1)
    await adjust(level.sku, -1)
    await adjust(level.sku, -1)
    const [first, second] = await live.waitFor(2)
    // two clients come back from a redeploy, each with the cursor it last applied: each starts an
    // upstream of its own, which hands its subscriber over once it stands at the live one's event
    const before = await metrics()
    const fromFirst = collect(c, FEED, { ...variables, after: first?.data?.['stock'].cursor })
    const fromSecond = collect(await client(), FEED, { ...variables, after: second?.data?.['stock'].cursor })
    await fromFirst.waitFor(1)
    await waitUntil('the resumers to subscribe', async () => (await metrics())['subscribers'] === before['subscribers'] + 2)

    await adjust(level.sku, -1)
    await waitUntil('the upstreams to merge', async () => (await metrics())['upstreamSubscriptions'] === 1)
    assert.equal((await metrics())['upstreamMerges'] - before['upstreamMerges'], 2)
    await waitUntil('inventory to drop the merged subscriptions', () => feedSubscribers() === 1)

    const beforeLive = await metrics()
    await adjust(level.sku, -1)
    await live.waitFor(4)
    await fromFirst.waitFor(3)
    await fromSecond.waitFor(2)
    const afterLive = await metrics()
    assert.equal(afterLive['executions'] - beforeLive['executions'], 1, 'one execution serves all three now')
    await stack.flushEvents()
    const seen = (feed: Collected) => feed.results.map(availableAfter)
    assert.deepEqual(seen(live), [1, 2, 3, 4].map((n) => level.available - n))
    assert.deepEqual(seen(fromFirst), [2, 3, 4].map((n) => level.available - n))
    assert.deepEqual(seen(fromSecond), [3, 4].map((n) => level.available - n))
    for (const feed of [live, fromFirst, fromSecond]) feed.stop()
  })

  it('pauses an upstream that outruns its executions and resumes it from the cursor, losing nothing', async () => {
    const { level, variables } = await freshLevel()
    const first = collect(await client(), FEED, variables)
    await waitUntil('the upstream subscription', () => feedSubscribers() === 1)
    await adjust(level.sku, -1)
    const [seen] = await first.waitFor(1)
    first.stop()
    await waitUntil('the upstream released', () => feedSubscribers() === 0)
    for (let i = 0; i < 20; i++) await adjust(level.sku, -1)
    const before = await metrics()
    // a reader with a large enough buffer: the replay arrives at once, 2 executions may wait
    const resumed = collect(await client(), FEED, { ...variables, after: seen?.data?.['stock'].cursor })
    const results = await resumed.waitFor(20, 20_000)
    assert.deepEqual(results.map(availableAfter), Array.from({ length: 20 }, (_, i) => level.available - 2 - i))
    assert.ok((await metrics())['upstreamPauses'] > before['upstreamPauses'], 'the upstream paused at least once')
    await stack.flushEvents()
    assert.equal(resumed.results.length, 20)
    resumed.stop()
  })

  it('loses nothing when the inventory subgraph restarts mid-stream', async () => {
    const { level, variables } = await freshLevel()
    const feed = collect(await client(), FEED, variables)
    await waitUntil('the upstream subscription', () => feedSubscribers() === 1)
    await adjust(level.sku, -1)
    await feed.waitFor(1)
    const before = await metrics()

    await stack.stopSubgraph('inventory')
    await stack.startSubgraph('inventory')
    // changes right after the restart, before the gateway has necessarily re-subscribed
    for (let i = 0; i < 3; i++) await adjust(level.sku, -1)
    const results = await feed.waitFor(4, 20_000)
    assert.deepEqual(results.map(availableAfter), [1, 2, 3, 4].map((n) => level.available - n))
    assert.ok(results.every((r) => r.errors === undefined), JSON.stringify(results.map((r) => r.errors)))
    const afterRestart = await metrics()
    assert.ok(afterRestart['upstreamRetries'] > before['upstreamRetries'], 'the gateway re-subscribed')
    await adjust(level.sku, -1)
    await feed.waitFor(5)
    await stack.flushEvents()
    assert.equal(feed.results.length, 5)
    feed.stop()
  })

  it('enforces a partner\'s locations end to end', async () => {
    const { level, variables } = await freshLevel(false)
    const eu = world.stockLevels.find((s) => s.sku === level.sku && s.locationId === 'loc_wh_eu')
    if (!eu) return
    const feed = collect(await client({ ...PARTNER, sub: 'partner_eu', locationIds: ['loc_wh_eu'] }), FEED, variables)
    await waitUntil('the upstream subscription', () => feedSubscribers() === 1)
    await adjust(level.sku, -1, 'loc_wh_east')
    await adjust(level.sku, -1, 'loc_wh_eu')
    const [only] = await feed.waitFor(1)
    assert.equal(only?.data?.['stock'].location.id, 'loc_wh_eu')
    await stack.flushEvents()
    assert.equal(feed.results.length, 1)
    feed.stop()
  })

  it('on shutdown streams through the drain, closes with 1001, and the client resumes on another instance', async () => {
    const { level } = await freshLevel()
    const listen = async (app: FastifyInstance) => {
      await app.listen({ host: '127.0.0.1', port: 0 })
      const address = app.server.address()
      return `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql`
    }
    const supergraph = composedSupergraph()
    const leaving = await buildGatewayApp({ config: { ...stack.config, shutdownDrainMs: 1500 }, supergraph })
    const staying = await buildGatewayApp({ config: stack.config, supergraph })
    try {
      const leavingClient = wsClient(await listen(leaving), { authorization: `Bearer ${partnerToken}` })
      clients.push(leavingClient)
      const variables = { filter: { skus: [level.sku] }, withProduct: true }
      const feed = collect(leavingClient, FEED, variables)
      await waitUntil('the upstream subscription', () => feedSubscribers() === 1)
      await adjust(level.sku, -1)
      await feed.waitFor(1)

      const closing = leaving.close()
      await new Promise((resolve) => setTimeout(resolve, 100))
      // draining: new sockets are turned away, open ones keep streaming
      await assert.rejects(openRawSocket(`ws://127.0.0.1:${(leaving.server.address() as { port: number }).port}/graphql`), /503/)
      await adjust(level.sku, -1)
      await feed.waitFor(2)
      await closing
      const closedWith = await feed.done.then(() => null, (error: unknown) => error as { code?: number })
      assert.equal(closedWith?.code, 1001, 'Going away')

      // missed while the client moved
      await adjust(level.sku, -1)
      await adjust(level.sku, -1)
      const cursor = feed.results[1]?.data?.['stock'].cursor
      const resumed = collect(wsClient(await listen(staying), { authorization: `Bearer ${partnerToken}` }), FEED, { ...variables, after: cursor })
      const results = await resumed.waitFor(2)
      assert.deepEqual(results.map(availableAfter), [3, 4].map((n) => level.available - n))
      assert.equal(results[0]?.data?.['stock'].variant.product.title, productOf(level.sku).title)
      resumed.stop()
    } finally {
      await staying.close()
    }
  })

  it('runs queries and mutations over the socket too', async () => {
    await settled()
    const c = await client({ ...PARTNER, roles: ['partner', 'staff'] })
    const level = takeLevel()
    const result = collect(c, `query ($skus: [String!]!) { inventoryLevels(filter: { skus: $skus }, first: 5) { nodes { location { id } variant: item { sku } } } }`, { skus: [level.sku] })
    await result.done
    assert.equal(result.results[0]?.errors, undefined, JSON.stringify(result.results[0]))
    assert.ok(result.results[0]?.data?.['inventoryLevels'].nodes.length > 0)
    const mutation = collect(c, ADJUST, { input: { idempotencyKey: 'ws-adjust', reason: 'CORRECTION', changes: [{ sku: level.sku, locationId: 'loc_wh_east', name: 'AVAILABLE', delta: -1, changeFromQuantity: null }] } })
    await mutation.done
    assert.deepEqual(mutation.results[0]?.data?.['inventoryAdjustQuantities'], { userErrors: [] })
  })

  it('answers bad operations with coded errors, not closes', async () => {
    await settled()
    const c = await client()
    const cases: [string, Record<string, unknown>, string][] = [
      ['subscription { nope }', {}, 'GRAPHQL_VALIDATION_FAILED'],
      ['subscription {', {}, 'GRAPHQL_PARSE_FAILED'],
      [FEED, { withProduct: true }, 'BAD_USER_INPUT'],
      [FEED, { filter: {}, withProduct: true }, 'BAD_USER_INPUT'],
      [FEED, { filter: { skus: ['X'] }, after: 'garbage', withProduct: true }, 'BAD_USER_INPUT'],
    ]
    for (const [document, variables, code] of cases) {
      const feed = collect(c, document, variables)
      const error = await feed.done.then(() => feed.results[0]?.errors?.[0], (e: unknown) => (Array.isArray(e) ? e[0] : e))
      assert.equal((error as { extensions?: Record<string, unknown> })?.extensions?.['code'], code, `${document.slice(0, 30)} ${JSON.stringify(error)}`)
    }
  })

  describe('protocol and auth', () => {
    const init = (token: string | null) => ({ type: 'connection_init', payload: token === null ? {} : { authorization: `Bearer ${token}` } })
    const subscribe = (id: string) => ({ id, type: 'subscribe', payload: { query: FEED, variables: { filter: { skus: ['X'] }, withProduct: false } } })

    it('closes a socket that never sends connection_init with 4408', async () => {
      const raw = await openRawSocket(url)
      assert.equal((await raw.closed).code, 4408)
    })
    it('closes a subscribe before connection_init with 4401', async () => {
      const raw = await openRawSocket(url)
      raw.send(subscribe('1'))
      assert.equal((await raw.closed).code, 4401)
    })
    it('closes with 4403 a token that does not verify', async () => {
      const tokens = ['not.a.jwt', await signToken(PARTNER, { ...stack.config, jwtSecret: 'another-secret-that-is-long-enough-0000' })]
      for (const token of tokens) {
        const raw = await openRawSocket(url)
        raw.send(init(token))
        assert.equal((await raw.closed).code, 4403, `token ${token.slice(0, 12)}`)
      }
    })
    it('acknowledges anonymous, customer and scope-less partner connections, and refuses them the stock feed', async () => {
      const viewers: [string | null, string][] = [
        [null, 'UNAUTHENTICATED'],
        [await signToken(asCustomer('c_1001'), stack.config), 'FORBIDDEN'],
        [await signToken({ ...PARTNER, scopes: [] }, stack.config), 'FORBIDDEN'],
      ]
      for (const [token, code] of viewers) {
        const raw = await openRawSocket(url)
        raw.send(init(token))
        assert.equal((await raw.nextMessage())['type'], 'connection_ack')
        raw.send(subscribe('1'))
        // refused by the gateway (an error message) or by inventory (a next without data)
        const refusal = await raw.nextMessage()
        const errors = (refusal['type'] === 'error' ? refusal['payload'] : refusal['payload']?.errors) as { extensions?: { code?: string } }[] | undefined
        assert.ok(refusal['type'] === 'error' || (refusal['type'] === 'next' && refusal['payload']?.data === null), JSON.stringify(refusal))
        assert.equal(errors?.[0]?.extensions?.code, code, `token ${token?.slice(0, 12)}`)
        raw.close()
      }
    })
    it('closes the connection with 4403 when its token expires', async () => {
      const raw = await openRawSocket(url)
      raw.send(init(await signToken({ ...PARTNER, expiresIn: 2 }, stack.config)))
      assert.equal((await raw.nextMessage())['type'], 'connection_ack')
      const closed = await raw.closed
      assert.equal(closed.code, 4403)
      assert.match(closed.reason, /Token expired/)
    })
    it('takes the token nested under headers too', async () => {
      const raw = await openRawSocket(url)
      raw.send({ type: 'connection_init', payload: { headers: { Authorization: `Bearer ${partnerToken}` } } })
      assert.equal((await raw.nextMessage())['type'], 'connection_ack')
      raw.close()
    })
    it('acknowledges a partner token and closes a duplicate subscription id with 4409', async () => {
      const raw = await openRawSocket(url)
      raw.send(init(partnerToken))
      assert.equal((await raw.nextMessage())['type'], 'connection_ack')
      raw.send(subscribe('same'))
      raw.send(subscribe('same'))
      assert.equal((await raw.closed).code, 4409)
    })
    it('closes an oversized message with 1009', async () => {
      const raw = await openRawSocket(url)
      raw.send(init(partnerToken))
      await raw.nextMessage()
      raw.send({ id: 'big', type: 'subscribe', payload: { query: `{ __typename }`, variables: { padding: 'x'.repeat(10_000) } } })
      assert.equal((await raw.closed).code, 1009)
    })
    it('closes with 4429 past the subscription cap or the message rate', async () => {
      const raw = await openRawSocket(url)
      raw.send(init(partnerToken))
      await raw.nextMessage()
      for (let i = 1; i <= 6; i++) raw.send(subscribe(String(i)))
      const closed = await raw.closed
      assert.equal(closed.code, 4429)
      assert.match(closed.reason, /Too many subscriptions/)

      const chatty = await openRawSocket(url)
      chatty.send(init(partnerToken))
      await chatty.nextMessage()
      for (let i = 0; i < 30; i++) chatty.send({ type: 'ping' })
      const limited = await chatty.closed
      assert.equal(limited.code, 4429)
      assert.match(limited.reason, /Rate limit/)
    })
    it('closes a malformed message with 4400', async () => {
      const raw = await openRawSocket(url)
      raw.send(init(partnerToken))
      await raw.nextMessage()
      raw.sendRaw('{not json')
      assert.equal((await raw.closed).code, 4400)
    })
  })

  it('disconnects a slow consumer without slowing the others', async () => {
    const { level } = await freshLevel()
    const subscriptions = stack.gateway.subscriptions!
    const runtime = subscriptions.runtime()!
    let slowCalls = 0
    // a subscriber that never reads (its socket would be closed with 1013)
    const stalled = subscriptions.hub.subscribe(runtime, {
      query: FEED, document: parse(FEED), operationName: 'Feed', variables: { filter: { skus: [level.sku] }, withProduct: false },
      viewer: { sub: PARTNER.sub, roles: ['partner'], scopes: ['stock:read'], locationIds: null }, onSlowConsumer: () => slowCalls++,
    })
    assert.ok(Symbol.asyncIterator in stalled)
    const reader: Collected = collect(await client(), FEED, { filter: { skus: [level.sku] }, withProduct: false })
    await waitUntil('both subscriptions', () => feedSubscribers() === 1 && reader.results.length === 0)
    for (let i = 0; i < 6; i++) await adjust(level.sku, -1)
    await reader.waitFor(6)
    assert.equal(slowCalls, 1, 'the stalled subscriber passed its buffer of 3 once')
    const m = await metrics()
    assert.ok(m['slowConsumerDisconnects'] >= 1)
    await (stalled as AsyncIterableIterator<unknown>).return?.()
    reader.stop()
  })

  it('releases every upstream subscription and listener when clients go', async () => {
    await settled()
    const c = await client()
    for (let i = 0; i < 3; i++) collect(c, FEED, { filter: { skus: [takeLevel().sku] }, withProduct: false })
    await waitUntil('three upstreams', async () => (await metrics())['upstreamSubscriptions'] === 3 && feedSubscribers() === 3)
    await c.dispose()
    await waitUntil('nothing left', async () => {
      const m = await metrics()
      return m['upstreamSubscriptions'] === 0 && m['subscribers'] === 0 && feedSubscribers() === 0
    })
  })
})
