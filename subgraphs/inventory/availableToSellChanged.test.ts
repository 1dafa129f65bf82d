import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import type { Client } from 'graphql-ws'
import type { Bus } from '../../platform/bus.ts'
import { createInProcessBus } from '../../platform/inProcessBus.ts'
import { eventually, execute, openSubgraphTestApp, signedHeaders, staff, viewer, type SubgraphTestApp } from '../../platform/testing.ts'
import { collect, wsClient } from '../../platform/wsTesting.ts'
import { ANONYMOUS, type Viewer } from '../../platform/viewer.ts'
import { buildWorld } from '../../seed/world.ts'
import { MAX_AVAILABILITY_SKUS } from './stockFeed.ts'
import { inventory } from './subgraph.ts'

const world = buildWorld()
const ONLINE = new Set(world.locations.filter((l) => l.active && l.fulfillsOnlineOrders).map((l) => l.id))
// skus stocked (with room to take from) in both online warehouses, none of them reserved or committed
const levelsOf = (sku: string) => world.stockLevels.filter((s) => s.sku === sku)
const twoWarehouses = [...new Set(world.stockLevels.map((s) => s.sku))].filter((sku) => {
  const levels = levelsOf(sku)
  return ['loc_wh_east', 'loc_wh_eu'].every((id) => levels.some((l) => l.locationId === id && l.available >= 10))
})
let next = 0
const takeSku = () => {
  const sku = twoWarehouses[next++]
  if (!sku) throw new Error('the world ran out of skus stocked in both warehouses')
  return sku
}

const ADJUST = `mutation($input: InventoryAdjustInput!) { inventoryAdjustQuantities(input: $input) { userErrors { code field message } } }`
const BADGES = `subscription($skus: [String!]!) { availableToSellChanged(skus: $skus) { sku availableToSell occurredAt } }`
const TOTAL = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on ProductVariant { availableToSell } } }`

describe('Subscription.availableToSellChanged (stock badges, over graphql-ws)', () => {
  let fixture: SubgraphTestApp
  let bus: Bus
  let app: FastifyInstance
  let url: string
  const clients: Client[] = []
  const client = (who: Viewer = ANONYMOUS) => {
    const c = wsClient(url, { headers: signedHeaders(who) })
    clients.push(c)
    return c
  }
  let group = 0
  const adjust = async (sku: string, locationId: string, name: string, delta: number) => {
    const response = await execute(app, ADJUST, {
      input: { idempotencyKey: `badge-${++group}`, reason: 'CORRECTION', changes: [{ sku, locationId, name, delta, changeFromQuantity: null }] },
    }, staff())
    assert.deepEqual(response.data?.['inventoryAdjustQuantities']?.userErrors, [], JSON.stringify(response))
    await app.relay?.flush()
  }
  const totalOf = async (sku: string, who: Viewer = ANONYMOUS): Promise<number> => {
    const response = await execute(app, TOTAL, { reps: [{ __typename: 'ProductVariant', sku }] }, who)
    return response.data?.['_entities'][0].availableToSell
  }
  const waitForSubscribers = (count: number) =>
    eventually(`${count} feed subscribers (have ${app.stockFeed?.subscriberCount})`, () => app.stockFeed?.subscriberCount === count)

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

  it('sends an anonymous viewer the variant total over the online locations after each AVAILABLE change, and nothing for other skus', async () => {
    const sku = takeSku()
    const other = takeSku()
    const expected = levelsOf(sku).filter((l) => ONLINE.has(l.locationId)).reduce((sum, l) => sum + l.available, 0)
    assert.equal(await totalOf(sku), expected, 'the seeded total')
    const badges = collect(client(), BADGES, { skus: [sku, sku] })
    await waitForSubscribers(1)
    await adjust(other, 'loc_wh_east', 'AVAILABLE', -1)
    await adjust(sku, 'loc_wh_east', 'AVAILABLE', -2)
    await adjust(sku, 'loc_wh_eu', 'AVAILABLE', -3)
    const [first, second] = await badges.waitFor(2)
    assert.equal(first?.errors, undefined)
    assert.deepEqual({ ...first?.data?.['availableToSellChanged'], occurredAt: null }, { sku, availableToSell: expected - 2, occurredAt: null })
    assert.ok(!Number.isNaN(Date.parse(first?.data?.['availableToSellChanged'].occurredAt)))
    assert.equal(second?.data?.['availableToSellChanged'].availableToSell, expected - 5)
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(badges.results.length, 2, 'the other sku is filtered out, and a sku listed twice counts once')
    badges.stop()
    await waitForSubscribers(0)
  })

  it('sends nothing for a change of a quantity other than AVAILABLE', async () => {
    const sku = takeSku()
    const badges = collect(client(), BADGES, { skus: [sku] })
    await waitForSubscribers(1)
    await adjust(sku, 'loc_wh_east', 'INCOMING', 5)
    await adjust(sku, 'loc_wh_east', 'AVAILABLE', 1)
    const [only] = await badges.waitFor(1)
    assert.equal(only?.data?.['availableToSellChanged'].availableToSell, await totalOf(sku))
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(badges.results.length, 1)
    badges.stop()
    await waitForSubscribers(0)
  })

  it('exposes no per-location quantity: the event type has the sku, the total and the time, nothing else', async () => {
    const response = await execute(app, '{ __type(name: "AvailableToSellChange") { fields { name } } }', {}, ANONYMOUS)
    assert.deepEqual(response.data?.['__type'].fields.map((f: { name: string }) => f.name).sort(), ['availableToSell', 'occurredAt', 'sku'])
    const asking = collect(client(), 'subscription { availableToSellChanged(skus: ["X"]) { sku location { id } } }')
    const error = await asking.done.then(() => asking.results[0]?.errors?.[0], (e: unknown) => (Array.isArray(e) ? e[0] : e))
    assert.match((error as { message?: string })?.message ?? '', /Cannot query field "location"/)
  })

  it('totals only the locations of a token with a locations claim', async () => {
    const sku = takeSku()
    const euOnly = viewer({ sub: 'partner_eu', roles: ['partner'], locationIds: ['loc_wh_eu'] })
    const euTotal = await totalOf(sku, euOnly)
    assert.equal(euTotal, levelsOf(sku).find((l) => l.locationId === 'loc_wh_eu')?.available)
    const badges = collect(client(euOnly), BADGES, { skus: [sku] })
    await waitForSubscribers(1)
    await adjust(sku, 'loc_wh_east', 'AVAILABLE', -1)
    await adjust(sku, 'loc_wh_eu', 'AVAILABLE', -1)
    const [only] = await badges.waitFor(1)
    assert.equal(only?.data?.['availableToSellChanged'].availableToSell, euTotal - 1)
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(badges.results.length, 1, 'the east warehouse is outside the token\'s locations')
    badges.stop()
    await waitForSubscribers(0)
  })

  it(`refuses an empty list and more than ${MAX_AVAILABILITY_SKUS} skus with BAD_USER_INPUT, before any event`, async () => {
    for (const skus of [[], Array.from({ length: MAX_AVAILABILITY_SKUS + 1 }, (_, i) => `SKU-${i}`)]) {
      const badges = collect(client(), BADGES, { skus })
      const [result] = await badges.waitFor(1)
      assert.equal(result?.errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT', JSON.stringify(result))
      assert.deepEqual(result?.errors?.[0]?.path, ['availableToSellChanged'])
      await badges.done
    }
    const most = collect(client(), BADGES, { skus: Array.from({ length: MAX_AVAILABILITY_SKUS }, (_, i) => `SKU-${i}`) })
    await waitForSubscribers(1)
    most.stop()
    await waitForSubscribers(0)
  })
})
