import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { customer, execute, openTestDatabase, readOutbox, staff, testConfig, type TestDatabase } from '../../../platform/testing.ts'
import type { Viewer } from '../../../platform/viewer.ts'
import { buildWorld } from '../../../seed/world.ts'
import { inventory } from '../../inventory/subgraph.ts'
import { orders } from '../subgraph.ts'

const world = buildWorld()
const CHECKOUT = `mutation ($input: CheckoutCompleteInput!) {
  checkoutComplete(input: $input) {
    order {
      id number customerId status fulfillmentStatus currency placedAt cancelReason cancelledAt
      subtotal { minorUnits } taxTotal { minorUnits } total { minorUnits currency }
      lineItems { nodes { id sku title quantity unitPrice { minorUnits } total { minorUnits } taxLines { title rate amount { minorUnits } } } }
      fulfillmentOrders { status assignedLocation { id } lines { quantity lineItem { sku } } }
      timeline { type message }
    }
    userErrors { code field message }
  }
}`
const CART = `query ($id: ID!) { cart(id: $id) { total { minorUnits currency } subtotal { minorUnits } taxTotal { minorUnits }
  lines { quantity unitPrice { minorUnits } variant { sku } } } }`
type UserError = { code: string; field: string[]; message: string }

/** The online-fulfilling location inventory picks for a line: the most AVAILABLE that covers it. */
const expectedLocation = (sku: string, quantity: number) =>
  world.stockLevels
    .filter((s) => s.sku === sku && s.locationId !== 'loc_store_nyc' && s.available >= quantity)
    .sort((a, b) => b.available - a.available)[0]?.locationId

describe('Mutation.checkoutComplete with the real inventory subgraph', () => {
  let test: TestDatabase
  let inventoryApp: FastifyInstance
  let app: FastifyInstance
  /** Runs inside inventory just before it reserves: how a test makes a checkout race another. */
  let beforeReserve: (() => Promise<void>) | null = null

  before(async () => {
    test = await openTestDatabase([orders, inventory])
    inventoryApp = await inventory.buildApp({ config: testConfig, db: test.db })
    inventoryApp.addHook('preHandler', async (request) => {
      if (beforeReserve && JSON.stringify(request.body ?? '').includes('inventoryReserve')) await beforeReserve()
    })
    await inventoryApp.listen({ port: 0, host: '127.0.0.1' })
    const url = `http://127.0.0.1:${(inventoryApp.server.address() as AddressInfo).port}/graphql`
    app = await orders.buildApp({ config: testConfig, db: test.db, subgraphUrl: () => url })
  })
  after(async () => {
    await app.close()
    await inventoryApp.close()
    await test.close()
  })

  const cartOf = async (id: string, who: Viewer) => (await execute(app, CART, { id }, who)).data?.['cart']
  const checkout = async (input: Record<string, unknown>, who: Viewer) => {
    const { data, errors } = await execute(app, CHECKOUT, { input: { paymentMethodToken: 'tok_visa', ...input } }, who)
    assert.equal(errors, undefined, JSON.stringify(errors))
    return data?.['checkoutComplete'] as { order: Record<string, any> | null; userErrors: UserError[] }
  }
  const reservationsOf = async (cartId: string) =>
    (
      await test.db.query<{ id: string; sku: string; location_id: string; quantity: number; status: string }>(
        `select id, sku, location_id, quantity, status from inventory.reservations where reference_document_uri = $1 order by created_at, sku`,
        [`gid://orders/Cart/${cartId}`],
      )
    ).rows
  const reservedAt = async (sku: string, locationId: string) => {
    const { data } = await execute(
      inventoryApp,
      `query ($sku: String!, $loc: ID!) { inventoryLevels(filter: { skus: [$sku], locationIds: [$loc] }) { nodes { quantities(names: [RESERVED, AVAILABLE]) { name quantity } } } }`,
      { sku, loc: locationId },
      staff(),
    )
    const quantities = data?.['inventoryLevels'].nodes[0].quantities as { name: string; quantity: number }[]
    return Object.fromEntries(quantities.map((q) => [q.name, q.quantity]))
  }
  const orderCountOf = async (customerId: string) =>
    Number((await test.db.query<{ n: string }>(`select count(*) as n from orders.orders where customer_id = $1`, [customerId])).rows[0]?.n)

  it('places the order: snapshots, totals, one fulfillment order per location, PLACED, OrderPlaced and RESERVED stock', async () => {
    const worldCart = world.carts.find((c) => c.id === 'cart_0003')!
    const cart = await cartOf('cart_0003', customer('c_1003'))
    const levelsBefore = await Promise.all(worldCart.lines.map((l) => reservedAt(l.sku, expectedLocation(l.sku, l.quantity)!)))

    const { order, userErrors } = await checkout({ idempotencyKey: 'first', cartId: 'cart_0003', expectedTotal: cart.total }, customer('c_1003'))
    assert.deepEqual(userErrors, [])
    assert.ok(order)
    assert.deepEqual(
      { ...order, id: undefined, placedAt: undefined, lineItems: undefined, fulfillmentOrders: undefined },
      {
        id: undefined, number: `#${1000 + world.orders.length + 1}`, customerId: 'c_1003', status: 'OPEN', fulfillmentStatus: 'UNFULFILLED',
        currency: 'EUR', placedAt: undefined, cancelReason: null, cancelledAt: null,
        subtotal: cart.subtotal, taxTotal: cart.taxTotal, total: cart.total,
        lineItems: undefined, fulfillmentOrders: undefined,
        timeline: [{ type: 'PLACED', message: `Order #${1000 + world.orders.length + 1} placed for ${(Number(cart.total.minorUnits) / 100).toFixed(2)} EUR` }],
      },
    )
    const items = order['lineItems'].nodes
    assert.deepEqual(
      items.map((li: any) => [li.sku, li.quantity, li.unitPrice.minorUnits, li.taxLines.map((t: any) => [t.title, t.rate])]),
      cart.lines.map((l: any) => [l.variant.sku, l.quantity, l.unitPrice.minorUnits, [['VAT', '0.19']]]),
    )
    const product = (sku: string) => world.products.find((p) => p.id === world.variants.find((v) => v.sku === sku)?.productId)
    assert.deepEqual(items.map((li: any) => li.title), worldCart.lines.map((l) => `${product(l.sku)?.title} - ${world.variants.find((v) => v.sku === l.sku)?.title}`))

    const byLocation = new Map<string, string[]>()
    for (const line of worldCart.lines) {
      const location = expectedLocation(line.sku, line.quantity)!
      byLocation.set(location, [...(byLocation.get(location) ?? []), line.sku])
    }
    assert.deepEqual(
      order['fulfillmentOrders'].map((f: any) => [f.status, f.assignedLocation.id, f.lines.map((l: any) => l.lineItem.sku).sort()]).sort(),
      [...byLocation].map(([location, skus]) => ['OPEN', location, skus.sort()]).sort(),
    )

    const reservations = await reservationsOf('cart_0003')
    assert.deepEqual(
      reservations.map((r) => [r.sku, r.location_id, r.quantity, r.status]).sort(),
      worldCart.lines.map((l) => [l.sku, expectedLocation(l.sku, l.quantity), l.quantity, 'ACTIVE']).sort(),
    )
    const levelsAfter = await Promise.all(worldCart.lines.map((l) => reservedAt(l.sku, expectedLocation(l.sku, l.quantity)!)))
    worldCart.lines.forEach((line, i) => {
      assert.equal(levelsAfter[i]?.['RESERVED'], (levelsBefore[i]?.['RESERVED'] ?? 0) + line.quantity)
      assert.equal(levelsAfter[i]?.['AVAILABLE'], (levelsBefore[i]?.['AVAILABLE'] ?? 0) - line.quantity)
    })

    const events = await readOutbox(test.db, 'orders', { aggregateId: order['id'] })
    assert.equal(events.length, 1)
    const placed = events[0]!
    assert.deepEqual([placed.type, placed.aggregateType, placed.aggregateId], ['OrderPlaced', 'Order', order['id']])
    assert.deepEqual({ ...placed.payload, placedAt: undefined, lines: undefined }, {
      orderId: order['id'], number: order['number'], customerId: 'c_1003', currency: 'EUR', countryCode: 'DE', placedAt: undefined,
      paymentMethodToken: 'tok_visa', subtotal: cart.subtotal.minorUnits, taxTotal: cart.taxTotal.minorUnits, shippingTotal: '0', discountTotal: '0',
      total: cart.total.minorUnits, pricesIncludeTax: true, lines: undefined,
    })
    assert.equal(placed.payload.placedAt, order['placedAt'])
    const reservationOf = new Map(reservations.map((r) => [r.sku, r]))
    assert.deepEqual(
      placed.payload.lines,
      items.map((li: any) => ({
        lineItemId: li.id, sku: li.sku, title: li.title, quantity: li.quantity, unitPrice: li.unitPrice.minorUnits,
        taxLines: li.taxLines.map((t: any) => ({ title: t.title, rate: t.rate, amount: t.amount.minorUnits })),
        total: li.total.minorUnits, reservationId: reservationOf.get(li.sku)?.id, locationId: reservationOf.get(li.sku)?.location_id,
      })),
    )
    const { rows: carts } = await test.db.query<{ checked_out: boolean }>(`select checked_out_at is not null as checked_out from orders.carts where id = 'cart_0003'`)
    assert.deepEqual(carts, [{ checked_out: true }])
  })

  it('replays the first order for the same key and input, and refuses the key for other input', async () => {
    const cart = await cartOf('cart_0005', customer('c_1005'))
    const input = { idempotencyKey: 'twice', cartId: 'cart_0005', expectedTotal: cart.total }
    const first = await checkout(input, customer('c_1005'))
    const second = await checkout(input, customer('c_1005'))
    assert.ok(first.order)
    assert.deepEqual(second, first)
    assert.equal(await orderCountOf('c_1005'), world.orders.filter((o) => o.customerId === 'c_1005').length + 1)
    assert.equal((await reservationsOf('cart_0005')).length, world.carts.find((c) => c.id === 'cart_0005')?.lines.length)
    const other = await checkout({ ...input, paymentMethodToken: 'tok_other' }, customer('c_1005'))
    assert.deepEqual(other.userErrors.map((e) => [e.code, e.field]), [['IDEMPOTENCY_KEY_REUSED', ['input', 'idempotencyKey']]])
    assert.equal(other.order, null)
  })

  it('answers IDEMPOTENCY_CONCURRENT_REQUEST to a duplicate that arrives while the first still runs', async () => {
    const cart = await cartOf('cart_0008', customer('c_1008'))
    const input = { idempotencyKey: 'racing', cartId: 'cart_0008', expectedTotal: cart.total }
    const [a, b] = await Promise.all([checkout(input, customer('c_1008')), checkout(input, customer('c_1008'))])
    assert.ok(a.order)
    assert.deepEqual(b, { order: null, userErrors: [{ code: 'IDEMPOTENCY_CONCURRENT_REQUEST', field: ['input', 'idempotencyKey'], message: 'A request with this idempotency key is still running; retry later' }] })
    assert.equal(await orderCountOf('c_1008'), world.orders.filter((o) => o.customerId === 'c_1008').length + 1)
  })

  it('answers one INSUFFICIENT_STOCK per short line and leaves no order and no reservation', async () => {
    // cart_0002 holds 2 of APP-0014-L, which no location has
    const worldCart = world.carts.find((c) => c.id === 'cart_0002')!
    assert.deepEqual(worldCart.lines.map((l) => l.sku), ['APP-0011-L', 'APP-0014-L'])
    const cart = await cartOf('cart_0002', customer('c_1002'))
    const location = expectedLocation('APP-0011-L', 1)!
    const before = await reservedAt('APP-0011-L', location)
    const { order, userErrors } = await checkout({ idempotencyKey: 'short', cartId: 'cart_0002', expectedTotal: cart.total }, customer('c_1002'))
    assert.equal(order, null)
    assert.deepEqual(userErrors, [{ code: 'INSUFFICIENT_STOCK', field: ['input', 'cartId'], message: 'Not enough APP-0014-L in stock for the 2 in the cart' }])
    assert.deepEqual(await reservationsOf('cart_0002'), [])
    assert.deepEqual(await reservedAt('APP-0011-L', location), before)
    assert.equal(await orderCountOf('c_1002'), world.orders.filter((o) => o.customerId === 'c_1002').length)
    const { rows } = await test.db.query(`select 1 from orders.carts where id = 'cart_0002' and checked_out_at is null`)
    assert.equal(rows.length, 1)
  })

  it('releases the reservation when the order cannot be written (the cart was checked out meanwhile), and a retry reserves afresh', async () => {
    const worldCart = world.carts.find((c) => c.id === 'cart_0007')!
    const [line] = worldCart.lines
    const location = expectedLocation(line!.sku, line!.quantity)!
    const before = await reservedAt(line!.sku, location)
    const cart = await cartOf('cart_0007', customer('c_1007'))
    const input = { idempotencyKey: 'compensated', cartId: 'cart_0007', expectedTotal: cart.total }

    beforeReserve = async () => {
      await test.db.query(`update orders.carts set checked_out_at = now() where id = 'cart_0007'`)
    }
    let refused
    try {
      refused = await checkout(input, customer('c_1007'))
    } finally {
      beforeReserve = null
    }
    assert.deepEqual(refused, { order: null, userErrors: [{ code: 'INVALID', field: ['input', 'cartId'], message: 'This cart has already been checked out' }] })
    assert.deepEqual((await reservationsOf('cart_0007')).map((r) => r.status), ['RELEASED'])
    assert.deepEqual(await reservedAt(line!.sku, location), before)
    assert.equal(await orderCountOf('c_1007'), world.orders.filter((o) => o.customerId === 'c_1007').length)
    const { rows: keys } = await test.db.query(`select 1 from orders.idempotency_keys where key = 'compensated'`)
    assert.deepEqual(keys, [])

    // the first reservation key now replays a released reservation: the retry must not build on it
    await test.db.query(`update orders.carts set checked_out_at = null where id = 'cart_0007'`)
    const retried = await checkout(input, customer('c_1007'))
    assert.deepEqual(retried.userErrors, [])
    const reservations = await reservationsOf('cart_0007')
    assert.deepEqual(reservations.map((r) => r.status), ['RELEASED', 'ACTIVE'])
    const { rows: lines } = await test.db.query<{ reservation_id: string }>(`select reservation_id from orders.line_items where order_id = $1`, [retried.order?.['id']])
    assert.deepEqual(lines, [{ reservation_id: reservations[1]?.id }])
    assert.equal((await reservedAt(line!.sku, location))['RESERVED'], (before['RESERVED'] ?? 0) + line!.quantity)
  })
})
