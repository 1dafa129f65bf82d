import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import type { Bus } from '../../../platform/bus.ts'
import { createInProcessBus } from '../../../platform/inProcessBus.ts'
import { customer, execute, openSubgraphTestApp, staff, type SubgraphTestApp, type TestDatabase } from '../../../platform/testing.ts'
import type { VariantPricesChanged } from '../../catalog/events.ts'
import type { PaymentAuthorized, PaymentDeclined } from '../../finance/events.ts'
import type { AllocationFailed } from '../../inventory/events.ts'
import { orders } from '../subgraph.ts'
import { envelope, placeTestOrder } from '../testSupport.ts'

const ORDER = `query ($id: ID!) { order(id: $id) { status cancelReason cancelledAt timeline { type message } fulfillmentOrders { status } } }`

describe('the consumers of finance, inventory and catalog events', () => {
  let t: SubgraphTestApp
  let test: TestDatabase
  let bus: Bus
  let app: FastifyInstance
  before(async () => {
    bus = createInProcessBus()
    t = await openSubgraphTestApp(orders, { deps: { bus } })
    test = t.test
    app = t.app
    await app.ready()
  })
  after(async () => {
    await t.close()
    await bus.close()
  })

  const orderOf = async (id: string) => (await execute(app, ORDER, { id }, staff())).data?.['order']
  /** What orders appended about one order, in order (its Order events). */
  const eventsOf = async (orderId: string) => (await t.outbox({ aggregateId: orderId })).filter((e) => e.aggregateType === 'Order')
  const typesOf = async (orderId: string) => (await eventsOf(orderId)).map((e) => e.type)

  it('cancels the order on PaymentDeclined and appends OrderCancelled once, even when the event is delivered twice', async () => {
    const orderId = await placeTestOrder(test.db, 'cart_0001')
    const declined = envelope<PaymentDeclined>('finance', 'Payment', 'PaymentDeclined', 'pay_1', {
      orderId, paymentId: 'pay_1', code: 'card_declined', reason: 'The card was declined',
    })
    const sent = Date.now()
    await bus.publish(declined)
    await bus.publish(declined)

    const order = await orderOf(orderId)
    const read = Date.now()
    assert.equal(order.status, 'CANCELLED')
    assert.equal(order.cancelReason, 'The card was declined')
    // stamped when the event was applied: after it was sent, before the order was read back
    const cancelledAt = Date.parse(order.cancelledAt)
    assert.ok(sent <= cancelledAt && cancelledAt <= read, `cancelled at ${order.cancelledAt}`)
    assert.deepEqual(order.timeline.map((e: any) => e.type), ['PLACED', 'PAYMENT_DECLINED', 'CANCELLED'])
    assert.deepEqual(order.fulfillmentOrders.map((f: any) => f.status), ['CANCELLED'])
    const events = await eventsOf(orderId)
    assert.deepEqual(events.map((e) => e.type), ['OrderPlaced', 'OrderCancelled'])
    const { rows: items } = await test.db.query<{ id: string; sku: string; quantity: number }>(
      `select id, sku, quantity from orders.line_items where order_id = $1 order by position`, [orderId])
    assert.deepEqual(events[1]?.payload, {
      orderId,
      reason: 'The card was declined',
      lines: items.map((li, i) => ({ lineItemId: li.id, sku: li.sku, quantity: li.quantity, reservationId: `res_cart_0001_${i + 1}`, locationId: 'loc_wh_east' })),
    })
  })

  it('puts an authorized payment on the timeline and appends OrderConfirmed once', async () => {
    const orderId = await placeTestOrder(test.db, 'cart_0004')
    const authorized = envelope<PaymentAuthorized>('finance', 'Payment', 'PaymentAuthorized', 'pay_2', {
      orderId, paymentId: 'pay_2', amount: '5303', currency: 'USD', invoiceId: 'inv_2',
    })
    await bus.publish(authorized)
    await bus.publish(authorized)
    const order = await orderOf(orderId)
    assert.equal(order.status, 'OPEN')
    assert.deepEqual(order.timeline.slice(1), [{ type: 'PAYMENT_AUTHORIZED', message: 'Payment of 53.03 USD authorized' }])
    const events = await eventsOf(orderId)
    assert.deepEqual(events.map((e) => [e.type, e.payload.paymentId]), [['OrderPlaced', undefined], ['OrderConfirmed', 'pay_2']])
  })

  it('cancels the order when inventory could not allocate it; a later decline cancels nothing more', async () => {
    const orderId = await placeTestOrder(test.db, 'cart_0006', 'loc_wh_eu')
    await bus.publish(envelope<AllocationFailed>('inventory', 'Order', 'AllocationFailed', orderId, { orderId, lines: [], reason: 'The reservation expired before the order arrived' }))
    await bus.publish(envelope<PaymentDeclined>('finance', 'Payment', 'PaymentDeclined', 'pay_3', { orderId, paymentId: 'pay_3', code: 'card_declined', reason: 'Declined' }))
    const order = await orderOf(orderId)
    assert.equal(order.status, 'CANCELLED')
    assert.equal(order.cancelReason, 'The reservation expired before the order arrived')
    assert.deepEqual(order.timeline.map((e: any) => e.type), ['PLACED', 'CANCELLED', 'PAYMENT_DECLINED'])
    assert.deepEqual(await typesOf(orderId), ['OrderPlaced', 'OrderCancelled'])
    const [, cancelled] = await eventsOf(orderId)
    assert.ok(cancelled?.payload.lines.length > 0)
    assert.ok(cancelled?.payload.lines.every((l: any) => l.locationId === 'loc_wh_eu' && l.reservationId.startsWith('res_cart_0006_')))
  })

  it('does not confirm an order that was cancelled before its payment was authorized', async () => {
    const orderId = await placeTestOrder(test.db, 'cart_0007')
    await bus.publish(envelope<AllocationFailed>('inventory', 'Order', 'AllocationFailed', orderId, { orderId, lines: [], reason: 'No stock' }))
    await bus.publish(envelope<PaymentAuthorized>('finance', 'Payment', 'PaymentAuthorized', 'pay_4', { orderId, paymentId: 'pay_4', amount: '1', currency: 'USD', invoiceId: 'inv_4' }))
    assert.deepEqual(await typesOf(orderId), ['OrderPlaced', 'OrderCancelled'])
    assert.deepEqual((await orderOf(orderId)).timeline.map((e: any) => e.type), ['PLACED', 'CANCELLED', 'PAYMENT_AUTHORIZED'])
  })

  it('ignores payment events of orders it does not hold', async () => {
    const { rows: before } = await test.db.query(`select count(*) as n from orders.order_timeline`)
    await bus.publish(envelope<PaymentDeclined>('finance', 'Payment', 'PaymentDeclined', 'pay_5', { orderId: 'ord_nope', paymentId: 'pay_5', code: 'x', reason: 'x' }))
    assert.deepEqual((await test.db.query(`select count(*) as n from orders.order_timeline`)).rows, before)
    assert.deepEqual(await eventsOf('ord_nope'), [])
  })

  it("replaces a sku's prices with the default channel's price in effect now, and the cart total follows", async () => {
    const totalOf = async () => (await execute(app, `{ cart(id: "cart_0010") { lines { unitPrice { minorUnits } } total { minorUnits } } }`, {}, customer('c_1010'))).data?.['cart']
    const before = await totalOf()
    const { rows } = await test.db.query<{ sku: string; quantity: number }>(`select sku, quantity from orders.cart_lines where cart_id = 'cart_0010'`)
    const sku = rows[0]!.sku
    const day = 86_400_000
    const price = (priceId: string, currency: string, amount: string, more: Partial<VariantPricesChanged['prices'][number]> = {}) => ({
      priceId, currency, amount, compareAtAmount: null, channelId: null, taxIncluded: currency === 'EUR', validFrom: null, validUntil: null, ...more,
    })
    await bus.publish(envelope<VariantPricesChanged>('catalog', 'ProductVariant', 'VariantPricesChanged', sku, {
      sku, variantTitle: 'Slate', productTitle: 'Renamed Throw',
      prices: [
        price('p_old', 'USD', '1000', { validUntil: new Date(Date.now() - day).toISOString() }),
        price('p_base', 'USD', '2000'),
        price('p_sale', 'USD', '1500', { validFrom: new Date(Date.now() - day).toISOString(), validUntil: new Date(Date.now() + day).toISOString() }),
        price('p_next', 'USD', '9999', { validFrom: new Date(Date.now() + day).toISOString() }),
        price('p_b2b', 'USD', '1', { channelId: 'ch_wholesale' }),
        price('p_eur', 'EUR', '1800'),
      ],
    }))
    const { rows: stored } = await test.db.query(
      `select currency, amount, variant_title, product_title, tax_included from orders.catalog_prices where sku = $1 order by currency`, [sku])
    assert.deepEqual(stored, [
      { currency: 'EUR', amount: '1800', variant_title: 'Slate', product_title: 'Renamed Throw', tax_included: true },
      { currency: 'USD', amount: '1500', variant_title: 'Slate', product_title: 'Renamed Throw', tax_included: false },
    ])
    const after = await totalOf()
    assert.notDeepEqual(after, before)
    // one line of 1 at 15.00 plus 8.25% US sales tax (123.75 -> 124)
    assert.deepEqual(after, { lines: [{ unitPrice: { minorUnits: '1500' } }], total: { minorUnits: String(1500 * rows[0]!.quantity + 124) } })
  })
})
