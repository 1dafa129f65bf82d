import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import type { Client } from 'graphql-ws'
import type { Bus, TailSpec } from '../../platform/bus.ts'
import { createInProcessBus } from '../../platform/inProcessBus.ts'
import { encodeCursor } from '../../platform/pagination.ts'
import { eventually, execute, openSubgraphTestApp, partner, signedHeaders, staff, viewer, type SubgraphTestApp } from '../../platform/testing.ts'
import { collect, openRawSocket, wsClient } from '../../platform/wsTesting.ts'
import type { Viewer } from '../../platform/viewer.ts'
import { buildWorld } from '../../seed/world.ts'
import { inventory } from './subgraph.ts'

const world = buildWorld()
const plain = world.stockLevels.filter((s) => s.locationId === 'loc_wh_east' && s.available >= 50 && s.reserved === 0 && s.committed === 0)
let nextPlain = 0
const takeLevel = () => {
  const level = plain[nextPlain++]
  if (!level) throw new Error('the world ran out of plain levels')
  return level
}

const ADJUST = `mutation($input: InventoryAdjustInput!) { inventoryAdjustQuantities(input: $input) { userErrors { code field message } } }`
const FEED = `subscription($filter: StockLevelFilterInput!, $after: String) {
  stockLevelChanged(filter: $filter, after: $after) {
    eventId cursor occurredAt version sku location { id } variant { sku }
    changes { name before after } transition reason referenceDocumentUri
  } }`

const stockReader = (overrides: Partial<Viewer> = {}): Viewer => viewer({ sub: 'partner_feed', roles: ['partner'], scopes: ['stock:read'], ...overrides })

describe('Subscription.stockLevelChanged (inventory over graphql-ws)', () => {
  let fixture: SubgraphTestApp
  let bus: Bus
  let app: FastifyInstance
  let url: string
  const clients: Client[] = []
  const client = (who: Viewer = stockReader()) => {
    const c = wsClient(url, { headers: signedHeaders(who) })
    clients.push(c)
    return c
  }
  let group = 0
  const adjust = async (sku: string, locationId: string, name: string, delta: number) => {
    const response = await execute(app, ADJUST, {
      input: { idempotencyKey: `feed-${++group}`, reason: 'CORRECTION', changes: [{ sku, locationId, name, delta, changeFromQuantity: null }] },
    }, staff())
    assert.deepEqual(response.data?.['inventoryAdjustQuantities']?.userErrors, [], JSON.stringify(response))
    await app.relay?.flush()
  }

  before(async () => {
    bus = createInProcessBus()
    fixture = await openSubgraphTestApp(inventory, { deps: { bus } })
    app = fixture.app
    await app.listen({ port: 0, host: '127.0.0.1' })
    const address = app.server.address()
    url = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql`
  })
  after(async () => {
    for (const c of clients) await c.dispose()
    await fixture.close()
    await bus.close()
  })

  it('streams a matching change with every field, and nothing for other skus', async () => {
    const level = takeLevel()
    const other = takeLevel()
    const feed = collect(client(), FEED, { filter: { skus: [level.sku] } })
    await waitForSubscribers(app, 1)
    await adjust(other.sku, other.locationId, 'AVAILABLE', -1)
    await adjust(level.sku, level.locationId, 'AVAILABLE', -2)
    const [first] = await feed.waitFor(1)
    const event = first?.data?.['stockLevelChanged']
    assert.equal(first?.errors, undefined)
    assert.equal(event.sku, level.sku)
    assert.equal(event.location.id, level.locationId)
    assert.equal(event.variant.sku, level.sku)
    assert.equal(event.reason, 'CORRECTION')
    assert.equal(event.transition, 'NONE')
    assert.match(event.eventId, /^[0-9a-f-]{36}$/)
    assert.match(event.version, /^\d+$/)
    assert.deepEqual(
      event.changes.find((c: { name: string }) => c.name === 'AVAILABLE'),
      { name: 'AVAILABLE', before: level.available, after: level.available - 2 },
    )
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(feed.results.length, 1, 'the other sku is filtered out')
    feed.stop()
  })

  it('filters by quantity names (AVAILABLE by default) and by transitions', async () => {
    const level = takeLevel()
    const availableOnly = collect(client(), FEED, { filter: { skus: [level.sku] } })
    const incoming = collect(client(), FEED, { filter: { skus: [level.sku], quantityNames: ['INCOMING'] } })
    const transitions = collect(client(), FEED, { filter: { skus: [level.sku], transitionsOnly: true } })
    await waitForSubscribers(app, 3)
    await adjust(level.sku, level.locationId, 'INCOMING', 10)
    await adjust(level.sku, level.locationId, 'AVAILABLE', -level.available)
    await incoming.waitFor(1)
    const seen = await availableOnly.waitFor(1)
    const [soldOut] = await transitions.waitFor(1)
    assert.equal(soldOut?.data?.['stockLevelChanged'].transition, 'OUT_OF_STOCK')
    await adjust(level.sku, level.locationId, 'AVAILABLE', 3)
    const [, backInStock] = await transitions.waitFor(2)
    assert.equal(backInStock?.data?.['stockLevelChanged'].transition, 'BACK_IN_STOCK')
    await availableOnly.waitFor(2)
    assert.equal(seen.length, 2, 'the INCOMING-only change is not an AVAILABLE change')
    assert.equal(incoming.results.length, 1)
    for (const feed of [availableOnly, incoming, transitions]) feed.stop()
  })

  it('resumes after a cursor: exactly the missed events in order, then live ones', async () => {
    const level = takeLevel()
    const first = collect(client(), FEED, { filter: { skus: [level.sku] } })
    await waitForSubscribers(app, 1)
    await adjust(level.sku, level.locationId, 'AVAILABLE', -1)
    const [seen] = await first.waitFor(1)
    first.stop()
    await waitForSubscribers(app, 0)
    for (let i = 0; i < 5; i++) await adjust(level.sku, level.locationId, 'AVAILABLE', -1)
    const resumed = collect(client(), FEED, { filter: { skus: [level.sku] }, after: seen?.data?.['stockLevelChanged'].cursor })
    const replayed = await resumed.waitFor(5)
    assert.deepEqual(
      replayed.map((r) => r.data?.['stockLevelChanged'].changes.find((c: { name: string }) => c.name === 'AVAILABLE').after),
      [1, 2, 3, 4, 5].map((i) => level.available - 1 - i),
    )
    await adjust(level.sku, level.locationId, 'AVAILABLE', -1)
    const all = await resumed.waitFor(6)
    const versions = all.map((r) => BigInt(r.data?.['stockLevelChanged'].version))
    assert.deepEqual(versions, [...versions].sort((a, b) => (a < b ? -1 : 1)), 'versions ascend')
    assert.equal(new Set(all.map((r) => r.data?.['stockLevelChanged'].eventId)).size, 6, 'no duplicates')
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(resumed.results.length, 6)
    resumed.stop()
  })

  it('refuses a cursor older than the retention with EVENT_CURSOR_EXPIRED, and malformed input with BAD_USER_INPUT', async () => {
    const stale = encodeCursor('StockLevelChangedEvent', [1, Date.now() - 25 * 3600_000])
    const cases: [Record<string, unknown>, string][] = [
      [{ filter: { skus: ['X'] }, after: stale }, 'EVENT_CURSOR_EXPIRED'],
      [{ filter: { skus: ['X'] }, after: 'not-a-cursor' }, 'BAD_USER_INPUT'],
      [{ filter: { skus: ['X'] }, after: encodeCursor('StockLevelChangedEvent', [1e12, Date.now()]) }, 'BAD_USER_INPUT'],
      [{ filter: {} }, 'BAD_USER_INPUT'],
      [{ filter: { skus: Array.from({ length: 501 }, (_, i) => `SKU-${i}`) } }, 'BAD_USER_INPUT'],
      [{ filter: { locationIds: Array.from({ length: 501 }, (_, i) => `loc_${i}`) } }, 'BAD_USER_INPUT'],
    ]
    for (const [variables, code] of cases) {
      const feed = collect(client(), FEED, variables)
      const [result] = await feed.waitFor(1)
      assert.equal(result?.errors?.[0]?.extensions?.['code'], code, JSON.stringify({ variables: Object.keys(variables), result }))
      await feed.done
    }
    const expired = collect(client(), FEED, { filter: { skus: ['X'] }, after: stale })
    const [result] = await expired.waitFor(1)
    assert.match(result?.errors?.[0]?.message ?? '', /inventoryLevels\(filter: \{ sinceVersion \}\)/)
  })

  it('needs the signed viewer, a stock reader, and keeps a partner to its locations', async () => {
    const raw = await openRawSocket(url)
    raw.send({ type: 'connection_init', payload: { headers: { 'x-commerce-viewer': 'forged.signature' } } })
    assert.equal((await raw.closed).code, 4403)

    const noScope = collect(client(partner('p_noscope', [])), FEED, { filter: { skus: ['X'] } })
    const [refused] = await noScope.waitFor(1)
    assert.equal(refused?.errors?.[0]?.extensions?.['code'], 'FORBIDDEN')
    const staffWithoutScope = collect(client(staff()), FEED, { filter: { skus: ['X'] } })
    assert.equal((await staffWithoutScope.waitFor(1))[0]?.errors?.[0]?.extensions?.['code'], 'FORBIDDEN')

    const east = plain.slice(nextPlain).find((e) => world.stockLevels.some((s) => s.sku === e.sku && s.locationId === 'loc_wh_eu' && s.available >= 5))
    assert.ok(east, 'a sku stocked in both warehouses')
    const limited = collect(client(stockReader({ locationIds: ['loc_wh_eu'] })), FEED, { filter: { skus: [east.sku] } })
    await waitForSubscribers(app, 1)
    await adjust(east.sku, 'loc_wh_east', 'AVAILABLE', -1)
    await adjust(east.sku, 'loc_wh_eu', 'AVAILABLE', -1)
    const [only] = await limited.waitFor(1)
    assert.equal(only?.data?.['stockLevelChanged'].location.id, 'loc_wh_eu')
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(limited.results.length, 1, 'the east warehouse is outside the partner\'s locations')
    limited.stop()
  })

  it('releases the feed when clients unsubscribe or disconnect', async () => {
    await waitForSubscribers(app, 0)
    const c = client()
    for (let i = 0; i < 3; i++) collect(c, FEED, { filter: { locationIds: ['loc_wh_east'] } })
    await waitForSubscribers(app, 3)
    await c.dispose()
    await waitForSubscribers(app, 0)
  })
})

const waitForSubscribers = (app: FastifyInstance, count: number) =>
  eventually(`${count} feed subscribers (have ${app.stockFeed?.subscriberCount})`, () => app.stockFeed?.subscriberCount === count)

describe('the stock feed when its bus tail breaks', () => {
  let fixture: SubgraphTestApp
  let inner: Bus
  let app: FastifyInstance
  let url: string
  const tails: TailSpec[] = []
  before(async () => {
    inner = createInProcessBus()
    // the in-process bus, with a hand on each tail's error callback
    const bus: Bus = { ...inner, tail: async (spec) => { tails.push(spec); return inner.tail(spec) } }
    fixture = await openSubgraphTestApp(inventory, { deps: { bus } })
    app = fixture.app
    await app.listen({ port: 0, host: '127.0.0.1' })
    const address = app.server.address()
    url = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql`
  })
  after(async () => {
    await fixture.close()
    await inner.close()
  })

  it('ends every stream with an error (subscribers resume by cursor) and attaches again', async () => {
    // tails attached with the app: the cache's invalidations, the placement worker's wake-up, then the feed's
    const feedTails = () => tails.filter((tail) => !tail.subjects.some((subject) => subject.endsWith('.PurchaseOrderSubmitted')))
    const c = wsClient(url, { headers: signedHeaders(stockReader()) })
    const broken = collect(c, FEED, { filter: { locationIds: ['loc_wh_east'] } })
    await waitForSubscribers(app, 1)
    assert.equal(feedTails().length, 2)
    feedTails()[1]?.onError?.(new Error('consumer deleted'))
    const failure = await broken.done.then(() => broken.results.at(-1), (error: unknown) => error)
    assert.match(JSON.stringify(failure), /INTERNAL_SERVER_ERROR|resume with your last cursor/)
    await eventually('the feed to attach again', () => feedTails().length === 3)

    const level = takeLevel()
    const live = collect(c, FEED, { filter: { skus: [level.sku] } })
    await waitForSubscribers(app, 1)
    const response = await execute(app, ADJUST, {
      input: { idempotencyKey: 'feed-reattached', reason: 'CORRECTION', changes: [{ sku: level.sku, locationId: level.locationId, name: 'AVAILABLE', delta: -1, changeFromQuantity: null }] },
    }, staff())
    assert.deepEqual(response.data?.['inventoryAdjustQuantities']?.userErrors, [])
    await app.relay?.flush()
    const [event] = await live.waitFor(1)
    assert.equal(event?.data?.['stockLevelChanged'].sku, level.sku)
    await c.dispose()
  })
})
