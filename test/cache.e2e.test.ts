// The subgraph caches through the gateway: what is read twice costs the database nothing, what a
// mutation changes is never read stale once it returns (on the replica that ran it) or once its
// event arrives (on every other replica), and nothing one viewer may see reaches a viewer who may
// not. Runs on the in-process bus with PGlite, and on NATS with PostgreSQL in the PG phase.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { randomUUID } from 'node:crypto'
import { redisSkip, testRedisUrl } from '../gateway/rateLimit/redisTesting.ts'
import { countingDatabase, type CountingDatabase } from '../platform/countingDatabase.ts'
import { eventually, execute, staff, testConfig } from '../platform/testing.ts'
import { buildWorld } from '../seed/world.ts'
import { catalog } from '../subgraphs/catalog/subgraph.ts'
import { asStaff, query, stackForTests, startStack, type Stack } from './stack.ts'

const world = buildWorld()

const VARIANT = `query ($sku: String!) {
  variant(sku: $sku) {
    price(currency: USD) { amount { minorUnits } }
    product { id priceRange(currency: USD) { min { minorUnits } max { minorUnits } } }
    availableToSell
  }
}`
const SET_PRICES = `mutation ($input: VariantPricesSetInput!) { variantPricesSet(input: $input) { userErrors { code field message } } }`
const ADJUST = `mutation ($input: InventoryAdjustInput!) { inventoryAdjustQuantities(input: $input) { userErrors { code field message } } }`

let keys = 0
const nextKey = (what: string) => `cache-${what}-${process.pid}-${++keys}`

/** An active product's variant that no other test here touches (skus are handed out in order). */
const sellable = world.variants.filter((v) => world.products.find((p) => p.id === v.productId)?.status === 'ACTIVE')
let taken = 0
const takeVariant = () => sellable[20 + taken++ * 7]!

async function read(stack: Stack, sku: string, claims?: Parameters<typeof query>[3]) {
  const { body } = await query(stack, VARIANT, { sku }, claims)
  assert.equal(body.errors, undefined, JSON.stringify(body.errors))
  return body.data!['variant'] as { price: { amount: { minorUnits: string } }; product: { id: string; priceRange: { min: { minorUnits: string } } }; availableToSell: number }
}

async function setUsdPrice(stack: Stack, sku: string, minorUnits: string) {
  const { body } = await query(
    stack,
    SET_PRICES,
    { input: { idempotencyKey: nextKey('price'), sku, prices: [{ amount: { minorUnits, currency: 'USD' }, taxIncluded: false }] } },
    asStaff,
  )
  assert.deepEqual(body.data?.['variantPricesSet']?.userErrors, [])
}

async function adjustAvailable(stack: Stack, sku: string, locationId: string, delta: number) {
  const { body } = await query(
    stack,
    ADJUST,
    { input: { idempotencyKey: nextKey('stock'), reason: 'CORRECTION', changes: [{ sku, locationId, name: 'AVAILABLE', delta, changeFromQuantity: null }] } },
    asStaff,
  )
  assert.deepEqual(body.data?.['inventoryAdjustQuantities']?.userErrors, [])
}

const onlineLevelOf = (sku: string) =>
  world.stockLevels.find((l) => l.sku === sku && world.locations.find((loc) => loc.id === l.locationId)?.fulfillsOnlineOrders && l.available > 0)!

describe('subgraph caches through the gateway', () => {
  // no bus, so no relay polls an outbox while statements are counted: mutations invalidate on commit
  const stack = stackForTests(() => startStack({ bus: false }))

  it('answers a repeated read without touching the catalog or inventory database', async () => {
    const { sku } = takeVariant()
    const first = await read(stack, sku)
    // the placement worker's pass at start (orders left SUBMITTED) reads inventory's database: let it end
    await stack.subgraphs.inventory.placementWorker?.runOnce()
    stack.resetCounters()
    assert.deepEqual(await read(stack, sku), first)
    assert.equal(stack.queries().catalog, 0, 'catalog read nothing')
    assert.equal(stack.queries().inventory, 0, 'inventory read nothing')
  })

  it('shows a new price as soon as variantPricesSet returns, in the variant and its product', async () => {
    const { sku } = takeVariant()
    const before = await read(stack, sku)
    await read(stack, sku) // cached now
    const changed = String(Number(before.price.amount.minorUnits) + 1)
    await setUsdPrice(stack, sku, changed)
    const after = await read(stack, sku)
    assert.equal(after.price.amount.minorUnits, changed)
    const variants = world.variants.filter((v) => v.productId === before.product.id)
    if (variants.length === 1) assert.equal(after.product.priceRange.min.minorUnits, changed)
  })

  it('shows new stock as soon as inventoryAdjustQuantities returns', async () => {
    const { sku } = takeVariant()
    const level = onlineLevelOf(sku)
    const before = await read(stack, sku)
    await read(stack, sku)
    await adjustAvailable(stack, sku, level.locationId, -1)
    assert.equal((await read(stack, sku)).availableToSell, before.availableToSell - 1)
  })

  it("never shows staff's drafts to anyone else, whoever read first", async () => {
    const draft = world.products.find((p) => p.status === 'DRAFT')!
    const PRODUCT = `query ($handle: String!) { product(handle: $handle) { id title } }`
    const LIST = `{ products(first: 100) { nodes { id } } }`
    const as = async (claims?: Parameters<typeof query>[3]) => (await query(stack, PRODUCT, { handle: draft.handle }, claims)).body.data?.['product']
    assert.equal((await as(asStaff))?.id, draft.id)
    assert.equal(await as(), null)
    assert.equal(await as({ sub: 'c_cache_1', roles: ['customer'] }), null)
    assert.equal((await as(asStaff))?.id, draft.id)
    const staffList = (await query(stack, LIST, {}, asStaff)).body.data!['products'].nodes.map((n: { id: string }) => n.id)
    const publicList = (await query(stack, LIST, {})).body.data!['products'].nodes.map((n: { id: string }) => n.id)
    const drafts = new Set(world.products.filter((p) => p.status !== 'ACTIVE').map((p) => p.id))
    assert.ok(staffList.some((id: string) => drafts.has(id)), 'staff list every status')
    assert.deepEqual(publicList.filter((id: string) => drafts.has(id)), [])
  })

  it("never shows a partner's narrowed stock to others, nor theirs to the partner", async () => {
    const { sku } = takeVariant()
    const level = onlineLevelOf(sku)
    const partner = { sub: 'partner_cache', roles: ['partner' as const], scopes: ['stock:read'], locationIds: [level.locationId] }
    const everyone = (await read(stack, sku)).availableToSell
    const narrowed = (await read(stack, sku, partner)).availableToSell
    assert.equal(narrowed, level.available)
    assert.equal((await read(stack, sku)).availableToSell, everyone)
    assert.equal((await read(stack, sku, partner)).availableToSell, narrowed)
  })
})

describe('a second catalog replica with its own cache', () => {
  let stack: Stack
  let replica: FastifyInstance
  let replicaDb: CountingDatabase
  before(async () => {
    stack = await startStack()
    replicaDb = countingDatabase(stack.test.db)
    replica = await catalog.buildApp({ config: testConfig, db: replicaDb, ...(stack.bus ? { bus: stack.bus } : {}) })
    await replica.ready()
  })
  // the replica first: its relay and tail are on the stack's bus
  after(async () => {
    await replica.close()
    await stack.close()
  })

  const PRICE = `query ($sku: String!) { variant(sku: $sku) { price(currency: "USD") { amount { minorUnits } } } }`
  const priceOnReplica = async (sku: string) => {
    const { data, errors } = await execute(replica, PRICE, { sku })
    assert.equal(errors, undefined)
    return data?.['variant'].price.amount.minorUnits as string
  }

  it('drops its entries when the price event arrives (the bound is the bus lag)', async () => {
    const { sku } = takeVariant()
    const old = await priceOnReplica(sku)
    const before = replicaDb.counter.queries
    assert.equal(await priceOnReplica(sku), old)
    assert.equal(replicaDb.counter.queries, before, 'the replica answered from its cache')
    const changed = String(Number(old) + 7)
    await setUsdPrice(stack, sku, changed)
    await stack.flushEvents()
    await eventually('the replica to show the new price', async () => (await priceOnReplica(sku)) === changed)
  })
})

describe('subgraph caches with CACHE=off', () => {
  let stack: Stack
  before(async () => {
    const off = { cache: { enabled: false, ttlSeconds: 60, keyPrefix: null } }
    stack = await startStack({ subgraphConfig: off, gatewayConfig: off })
  })
  after(() => stack.close())

  it('reads the database on every request', async () => {
    const { sku } = sellable[3]!
    await read(stack, sku)
    stack.resetCounters()
    await read(stack, sku)
    assert.ok(stack.queries().catalog > 0 && stack.queries().inventory > 0, JSON.stringify(stack.queries()))
  })
})

describe('catalog replicas sharing a cache in Redis', async () => {
  const skip = await redisSkip()
  const stack = stackForTests()
  const replicas: { app: FastifyInstance; db: CountingDatabase }[] = []
  before(async () => {
    if (skip) return
    // no bus: what the second replica sees can only come from the shared Redis
    const config = { ...testConfig, redisUrl: testRedisUrl, cache: { ...testConfig.cache, keyPrefix: `commerce:cache:test-${randomUUID()}` } }
    for (let i = 0; i < 2; i++) {
      const db = countingDatabase(stack.test.db)
      const app = await catalog.buildApp({ config, db })
      await app.ready()
      replicas.push({ app, db })
    }
  })
  after(async () => {
    for (const { app } of replicas) await app.close()
  })

  const PRICE = `query ($sku: String!) { variant(sku: $sku) { price(currency: "USD") { amount { minorUnits } } product { priceRange(currency: "USD") { max { minorUnits } } } } }`
  const SET = `mutation ($input: VariantPricesSetInput!) { variantPricesSet(input: $input) { userErrors { code } } }`
  const priceOn = async (i: number, sku: string) => {
    const { data, errors } = await execute(replicas[i]!.app, PRICE, { sku })
    assert.equal(errors, undefined)
    return data?.['variant'].price.amount.minorUnits as string
  }

  it("serves one replica's reads to the other, and drops them for both when one changes a price", { skip }, async () => {
    const { sku } = takeVariant()
    const old = await priceOn(0, sku)
    const before = replicas[1]!.db.counter.queries
    assert.equal(await priceOn(1, sku), old)
    assert.equal(replicas[1]!.db.counter.queries, before, 'the second replica read nothing from the database')
    const changed = String(Number(old) + 3)
    const { data } = await execute(
      replicas[0]!.app,
      SET,
      { input: { idempotencyKey: nextKey('redis'), sku, prices: [{ amount: { minorUnits: changed, currency: 'USD' }, taxIncluded: false }] } },
      staff(),
    )
    assert.deepEqual(data?.['variantPricesSet'].userErrors, [])
    assert.equal(await priceOn(1, sku), changed, 'the other replica sees the new price at once')
  })
})

describe('the gateway response cache', () => {
  // the stack's gateway tails the same bus as the subgraphs (in-process, or NATS in the PG phase)
  const stack = stackForTests()
  const cacheStats = async () => (await stack.gateway.inject({ method: 'GET', url: '/metrics/cache' })).json() as { stored: number; hits: number }

  it('answers a repeated anonymous read without calling any subgraph', async () => {
    const { sku } = takeVariant()
    const first = await read(stack, sku)
    stack.resetCounters()
    assert.deepEqual(await read(stack, sku), first)
    assert.deepEqual(Object.values(stack.subgraphCalls()), [0, 0, 0, 0])
    assert.ok((await cacheStats()).hits >= 1)
  })

  it('answers an operationName that names no operation as the client\'s error, not a crash of the cache or the merge', async () => {
    const response = await stack.gateway.inject({
      method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      payload: { query: 'query A { __typename }', operationName: 'B' },
    })
    assert.equal(response.statusCode, 400, response.body)
    assert.deepEqual(response.json().errors.map((e: { extensions: { code: string } }) => e.extensions.code), ['GRAPHQL_VALIDATION_FAILED'])
  })

  it('shows new stock and a new price once their events are applied (the bound is the bus lag)', async () => {
    const { sku } = takeVariant()
    const level = onlineLevelOf(sku)
    const before = await read(stack, sku)
    await adjustAvailable(stack, sku, level.locationId, -2)
    await stack.flushEvents()
    await eventually('the gateway to show the new stock', async () => (await read(stack, sku)).availableToSell === before.availableToSell - 2)
    const changed = String(Number(before.price.amount.minorUnits) + 11)
    await setUsdPrice(stack, sku, changed)
    await stack.flushEvents()
    await eventually('the gateway to show the new price', async () => (await read(stack, sku)).price.amount.minorUnits === changed)
  })

  it('shows a scheduled price from the instant it starts: catalog bounds the answer with max-age', async () => {
    const { sku } = takeVariant()
    const old = (await read(stack, sku)).price.amount.minorUnits
    const scheduled = String(Number(old) + 5)
    const startsAt = new Date(Date.now() + 2500)
    const { body } = await query(
      stack,
      SET_PRICES,
      {
        input: {
          idempotencyKey: nextKey('scheduled'),
          sku,
          prices: [
            { amount: { minorUnits: old, currency: 'USD' }, taxIncluded: false, validUntil: startsAt.toISOString() },
            { amount: { minorUnits: scheduled, currency: 'USD' }, taxIncluded: false, validFrom: startsAt.toISOString() },
          ],
        },
      },
      asStaff,
    )
    assert.deepEqual(body.data?.['variantPricesSet']?.userErrors, [])
    await stack.flushEvents()
    await eventually('the price event to reach the gateway', async () => (await read(stack, sku)).price.amount.minorUnits === old)
    assert.equal((await read(stack, sku)).price.amount.minorUnits, old, 'stored, until the start')
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startsAt.getTime() - Date.now() + 50)))
    assert.equal((await read(stack, sku)).price.amount.minorUnits, scheduled)
  })

  it("never stores a customer's orders", async () => {
    const orders = world.orders[0]!
    const MY_ORDERS = '{ orders(first: 5) { nodes { id } } }'
    const stored = (await cacheStats()).stored
    for (let i = 0; i < 2; i++) {
      const { body } = await query(stack, MY_ORDERS, {}, { sub: orders.customerId, roles: ['customer'] })
      assert.equal(body.errors, undefined)
      assert.ok(body.data!['orders'].nodes.length > 0)
    }
    assert.equal((await cacheStats()).stored, stored)
  })
})
