import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import type { Bus } from '../../../platform/bus.ts'
import { createInProcessBus } from '../../../platform/inProcessBus.ts'
import { customer, execute, openSubgraphTestApp, staff, viewer, type SubgraphTestApp, type TestDatabase } from '../../../platform/testing.ts'
import type { Viewer } from '../../../platform/viewer.ts'
import { buildWorld } from '../../../seed/world.ts'
import type { PaymentCaptured, RefundIssued } from '../../finance/events.ts'
import { orders } from '../subgraph.ts'
import { envelope } from '../testSupport.ts'

const world = buildWorld()
const FULFILL = `mutation ($input: FulfillmentCreateInput!) {
  fulfillmentCreate(input: $input) { fulfillment { id carrier trackingNumber lines { quantity lineItem { id } } } userErrors { code field message } }
}`
const RETURN = `mutation ($input: ReturnCreateInput!) {
  returnCreate(input: $input) { return { id status order { id } lines { quantity reason restock lineItem { id } } } userErrors { code field message } }
}`
const ORDER = `query ($id: ID!) { order(id: $id) { status fulfillmentStatus timeline { type message } fulfillmentOrders { id status } } }`
type UserError = { code: string; field: string[]; message: string }

// ord_0073 (c_1001) is open and unfulfilled: 3 of ELC-0165-WHITE on fo_0073 at loc_wh_east.
// ord_0003 (c_1003) shipped everything from loc_wh_eu: 3 of li_0003_1, 2 of li_0003_2.
// ord_0027 (c_1003) was cancelled.
describe('Mutation.fulfillmentCreate and Mutation.returnCreate', () => {
  let t: SubgraphTestApp
  let test: TestDatabase
  let bus: Bus
  let app: FastifyInstance
  let keys = 0
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

  const run = async (query: string, field: string, input: Record<string, unknown>, who: Viewer) => {
    const { data, errors } = await execute(app, query, { input: { idempotencyKey: `key-${++keys}`, ...input } }, who)
    return { errors, payload: data?.[field] as ({ userErrors: UserError[] } & Record<string, any>) | undefined }
  }
  const fulfill = (input: Record<string, unknown>, who: Viewer = staff()) => run(FULFILL, 'fulfillmentCreate', input, who)
  const giveBack = (input: Record<string, unknown>, who: Viewer) => run(RETURN, 'returnCreate', input, who)
  const orderOf = async (id: string) => (await execute(app, ORDER, { id }, staff())).data?.['order']
  const counts = async () => ({
    ...(await test.db.query(`select (select count(*) from orders.fulfillments) as fulfillments, (select count(*) from orders.returns) as returns,
      (select count(*) from orders.order_timeline) as timeline,
      (select sum(fulfilled_quantity) from orders.fulfillment_order_lines) as fulfilled, (select sum(returned_quantity) from orders.fulfillment_order_lines) as returned`)).rows[0],
    outbox: (await t.outbox()).length,
  })
  /** What orders appended about one order, in order, as the old outbox reader showed it (Order events only). */
  const eventsOf = async (orderId: string) =>
    (await t.outbox({ aggregateId: orderId })).filter((e) => e.aggregateType === 'Order').map(({ type, aggregateId, payload }) => ({ type, aggregateId, payload }))
  /** Asserts exactly these [code, field] userErrors and that nothing was written. */
  const refuses = async (attempt: Promise<{ payload: any; errors: unknown }>, expected: [string, (string | number)[]][]) => {
    const before = await counts()
    const { payload, errors } = await attempt
    assert.equal(errors, undefined, JSON.stringify(errors))
    assert.equal('fulfillment' in payload ? payload.fulfillment : payload.return, null)
    assert.deepEqual(payload.userErrors.map((e: UserError) => [e.code, e.field]), expected.map(([code, field]) => [code, field.map(String)]))
    for (const error of payload.userErrors) assert.ok(error.message)
    assert.deepEqual(await counts(), before)
  }

  it('lets only staff create fulfillments', async () => {
    const input = { fulfillmentOrderId: 'fo_0073', lines: [{ lineItemId: 'li_0073_1', quantity: 1 }] }
    assert.equal((await fulfill(input, viewer())).errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED')
    assert.equal((await fulfill(input, customer('c_1001'))).errors?.[0]?.extensions?.['code'], 'FORBIDDEN')
  })

  it('refuses an unknown fulfillment order, foreign lines, bad and excessive quantities, and a cancelled order', async () => {
    await refuses(fulfill({ fulfillmentOrderId: 'fo_nope', lines: [{ lineItemId: 'li_0073_1', quantity: 1 }] }), [['NOT_FOUND', ['input', 'fulfillmentOrderId']]])
    await refuses(fulfill({ fulfillmentOrderId: 'fo_0073', lines: [] }), [['INVALID', ['input', 'lines']]])
    await refuses(
      fulfill({
        fulfillmentOrderId: 'fo_0073',
        lines: [
          { lineItemId: 'li_0001_1', quantity: 1 },
          { lineItemId: 'li_0073_1', quantity: 0 },
        ],
      }),
      [['NOT_FOUND', ['input', 'lines', 0, 'lineItemId']], ['INVALID', ['input', 'lines', 1, 'quantity']]],
    )
    await refuses(fulfill({ fulfillmentOrderId: 'fo_0073', lines: [{ lineItemId: 'li_0073_1', quantity: 4 }] }), [
      ['QUANTITY_EXCEEDS_FULFILLABLE', ['input', 'lines', 0, 'quantity']],
    ])
    await refuses(
      fulfill({ fulfillmentOrderId: 'fo_0073', lines: [{ lineItemId: 'li_0073_1', quantity: 1 }, { lineItemId: 'li_0073_1', quantity: 1 }] }),
      [['INVALID', ['input', 'lines', 1, 'lineItemId']]],
    )
    const cancelled = world.orders.find((o) => o.id === 'ord_0027')!
    await refuses(fulfill({ fulfillmentOrderId: 'fo_0027', lines: [{ lineItemId: cancelled.lineItems[0]!.id, quantity: 1 }] }), [
      ['INVALID', ['input', 'fulfillmentOrderId']],
    ])
  })

  it('ships part, then the rest, of a fulfillment order, never more than it holds', async () => {
    const first = await fulfill({ fulfillmentOrderId: 'fo_0073', lines: [{ lineItemId: 'li_0073_1', quantity: 1 }], carrier: 'UPS', trackingNumber: '1Z999' })
    assert.deepEqual(first.payload?.userErrors, [])
    assert.deepEqual({ ...first.payload?.['fulfillment'], id: undefined }, { id: undefined, carrier: 'UPS', trackingNumber: '1Z999', lines: [{ quantity: 1, lineItem: { id: 'li_0073_1' } }] })
    let order = await orderOf('ord_0073')
    assert.deepEqual([order.status, order.fulfillmentStatus, order.fulfillmentOrders], ['OPEN', 'PARTIALLY_FULFILLED', [{ id: 'fo_0073', status: 'IN_PROGRESS' }]])
    assert.deepEqual(order.timeline.at(-1), { type: 'FULFILLMENT_CREATED', message: '1 item shipped from loc_wh_east (UPS 1Z999)' })
    const [event] = await eventsOf('ord_0073')
    assert.deepEqual(event, {
      type: 'FulfillmentCreated', aggregateId: 'ord_0073',
      payload: { orderId: 'ord_0073', fulfillmentId: first.payload?.['fulfillment'].id, fulfillmentOrderId: 'fo_0073', locationId: 'loc_wh_east', lines: [{ lineItemId: 'li_0073_1', sku: 'ELC-0165-WHITE', quantity: 1 }] },
    })

    await refuses(fulfill({ fulfillmentOrderId: 'fo_0073', lines: [{ lineItemId: 'li_0073_1', quantity: 3 }] }), [['QUANTITY_EXCEEDS_FULFILLABLE', ['input', 'lines', 0, 'quantity']]])
    const rest = await fulfill({ fulfillmentOrderId: 'fo_0073', lines: [{ lineItemId: 'li_0073_1', quantity: 2 }] })
    assert.deepEqual(rest.payload?.userErrors, [])
    order = await orderOf('ord_0073')
    // shipped but not captured yet: the order stays open until it is paid
    assert.deepEqual([order.status, order.fulfillmentStatus, order.fulfillmentOrders], ['OPEN', 'FULFILLED', [{ id: 'fo_0073', status: 'CLOSED' }]])
    await refuses(fulfill({ fulfillmentOrderId: 'fo_0073', lines: [{ lineItemId: 'li_0073_1', quantity: 1 }] }), [['QUANTITY_EXCEEDS_FULFILLABLE', ['input', 'lines', 0, 'quantity']]])
  })

  it('never over-fulfils under concurrent fulfillments of the same units', async () => {
    const open = world.orders.find((o) => o.id === 'ord_0075')!
    const line = open.lineItems[0]!
    const input = { fulfillmentOrderId: 'fo_0075', lines: [{ lineItemId: line.id, quantity: line.quantity }] }
    const results = await Promise.all([fulfill(input), fulfill(input), fulfill(input)])
    assert.equal(results.filter((r) => r.payload?.['fulfillment']).length, 1)
    assert.deepEqual(results.flatMap((r) => r.payload?.userErrors.map((e) => e.code)), ['QUANTITY_EXCEEDS_FULFILLABLE', 'QUANTITY_EXCEEDS_FULFILLABLE'])
  })

  it('replays a fulfillment for the same key and input', async () => {
    const open = world.orders.find((o) => o.id === 'ord_0076')!
    const input = { idempotencyKey: 'ship-once', fulfillmentOrderId: 'fo_0076', lines: [{ lineItemId: open.lineItems[0]!.id, quantity: 1 }] }
    const first = await execute(app, FULFILL, { input }, staff())
    const second = await execute(app, FULFILL, { input }, staff())
    assert.ok(first.data?.['fulfillmentCreate'].fulfillment.id)
    assert.deepEqual(second.data, first.data)
    const reused = await execute(app, FULFILL, { input: { ...input, carrier: 'DHL' } }, staff())
    assert.deepEqual(reused.data?.['fulfillmentCreate'].userErrors.map((e: UserError) => e.code), ['IDEMPOTENCY_KEY_REUSED'])
  })

  it("refuses returns of unknown or someone else's orders, foreign lines, bad quantities and more than shipped", async () => {
    assert.equal((await giveBack({ orderId: 'ord_0003', lines: [{ lineItemId: 'li_0003_1', quantity: 1 }], restock: true }, viewer())).errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED')
    const line = { lineItemId: 'li_0003_1', quantity: 1 }
    await refuses(giveBack({ orderId: 'ord_nope', lines: [line], restock: true }, customer('c_1003')), [['NOT_FOUND', ['input', 'orderId']]])
    await refuses(giveBack({ orderId: 'ord_0003', lines: [line], restock: true }, customer('c_1001')), [['NOT_FOUND', ['input', 'orderId']]])
    await refuses(giveBack({ orderId: 'ord_0003', lines: [], restock: true }, customer('c_1003')), [['INVALID', ['input', 'lines']]])
    await refuses(
      giveBack({ orderId: 'ord_0003', lines: [{ lineItemId: 'li_0073_1', quantity: 1 }, { lineItemId: 'li_0003_2', quantity: -1 }, { lineItemId: 'li_0003_1', quantity: 4 }], restock: true }, customer('c_1003')),
      [['NOT_FOUND', ['input', 'lines', 0, 'lineItemId']], ['INVALID', ['input', 'lines', 1, 'quantity']], ['QUANTITY_EXCEEDS_FULFILLABLE', ['input', 'lines', 2, 'quantity']]],
    )
    // nothing of ord_0077 shipped yet
    const unshipped = world.orders.find((o) => o.id === 'ord_0077')!
    await refuses(giveBack({ orderId: 'ord_0077', lines: [{ lineItemId: unshipped.lineItems[0]!.id, quantity: 1 }], restock: true }, staff()), [
      ['QUANTITY_EXCEEDS_FULFILLABLE', ['input', 'lines', 0, 'quantity']],
    ])
  })

  it('opens a return for the customer, then for staff, until everything shipped has come back', async () => {
    const first = await giveBack({ orderId: 'ord_0003', lines: [{ lineItemId: 'li_0003_1', quantity: 1 }], reason: 'too small', restock: true }, customer('c_1003'))
    assert.deepEqual(first.payload?.userErrors, [])
    const returned = first.payload?.['return']
    assert.deepEqual({ ...returned, id: undefined }, {
      id: undefined, status: 'OPEN', order: { id: 'ord_0003' }, lines: [{ quantity: 1, reason: 'too small', restock: true, lineItem: { id: 'li_0003_1' } }],
    })
    let order = await orderOf('ord_0003')
    assert.equal(order.fulfillmentStatus, 'PARTIALLY_RETURNED')
    assert.deepEqual(order.timeline.at(-1), { type: 'RETURN_CREATED', message: 'Return of 1 item opened: too small' })
    assert.deepEqual((await eventsOf('ord_0003')).at(-1), {
      type: 'ReturnCreated', aggregateId: 'ord_0003',
      payload: { orderId: 'ord_0003', returnId: returned.id, restock: true, lines: [{ lineItemId: 'li_0003_1', sku: 'HOM-0095-CLAY', quantity: 1, locationId: 'loc_wh_eu' }] },
    })

    await refuses(giveBack({ orderId: 'ord_0003', lines: [{ lineItemId: 'li_0003_1', quantity: 3 }], restock: false }, staff()), [
      ['QUANTITY_EXCEEDS_FULFILLABLE', ['input', 'lines', 0, 'quantity']],
    ])
    const rest = await giveBack({ orderId: 'ord_0003', lines: [{ lineItemId: 'li_0003_1', quantity: 2 }, { lineItemId: 'li_0003_2', quantity: 2 }], restock: false }, staff())
    assert.deepEqual(rest.payload?.userErrors, [])
    order = await orderOf('ord_0003')
    assert.equal(order.fulfillmentStatus, 'RETURNED')
    assert.equal((await eventsOf('ord_0003')).at(-1)?.payload.restock, false)
  })

  it('closes an order once captured, and once everything came back and was refunded', async () => {
    const open = world.orders.find((o) => o.id === 'ord_0079')!
    await fulfill({ fulfillmentOrderId: 'fo_0079', lines: open.lineItems.map((li) => ({ lineItemId: li.id, quantity: li.quantity })) })
    const capture = (amount: string) =>
      envelope<PaymentCaptured>('finance', 'Payment', 'PaymentCaptured', 'pay_79', { orderId: 'ord_0079', paymentId: 'pay_79', amount, currency: open.currency, capturedTotal: amount })
    await giveBack({ orderId: 'ord_0079', lines: open.lineItems.map((li) => ({ lineItemId: li.id, quantity: li.quantity })), restock: true }, staff())
    await bus.publish(capture(String(open.total)))
    // everything came back before the capture: open until refunded
    assert.equal((await orderOf('ord_0079')).status, 'OPEN')
    const refund = (amount: bigint) =>
      envelope<RefundIssued>('finance', 'Payment', 'RefundIssued', 'pay_79', { orderId: 'ord_0079', paymentId: 'pay_79', refundId: `rf_${amount}`, returnId: null, amount: String(amount), currency: open.currency })
    await bus.publish(refund(open.total - 1n))
    assert.equal((await orderOf('ord_0079')).status, 'OPEN')
    await bus.publish(refund(1n))
    const order = await orderOf('ord_0079')
    assert.equal(order.status, 'CLOSED')
    assert.deepEqual(order.timeline.slice(-4).map((e: any) => e.type), ['PAYMENT_CAPTURED', 'REFUND_ISSUED', 'REFUND_ISSUED', 'CLOSED'])

    const shipped = world.orders.find((o) => o.id === 'ord_0080')!
    await fulfill({ fulfillmentOrderId: 'fo_0080', lines: shipped.lineItems.map((li) => ({ lineItemId: li.id, quantity: li.quantity })) })
    await bus.publish(envelope<PaymentCaptured>('finance', 'Payment', 'PaymentCaptured', 'pay_80', {
      orderId: 'ord_0080', paymentId: 'pay_80', amount: String(shipped.total), currency: shipped.currency, capturedTotal: String(shipped.total),
    }))
    assert.deepEqual((await orderOf('ord_0080')).timeline.slice(-2).map((e: any) => e.type), ['PAYMENT_CAPTURED', 'CLOSED'])
  })
})
