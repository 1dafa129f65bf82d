import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { encodeCursor } from '../../platform/pagination.ts'
import { customer, execute, openSubgraphTestApp, staff, testConfig, viewer, type SubgraphTestApp, type TestDatabase } from '../../platform/testing.ts'
import { buildWorld, type WorldOrder } from '../../seed/world.ts'
import { orders } from './subgraph.ts'
import { insertReturn } from './store/returnStore.ts'

const world = buildWorld()
const worldOrder = (id: string) => world.orders.find((o) => o.id === id) as WorldOrder
const ORDER = `query ($id: ID, $number: String) {
  order(id: $id, number: $number) {
    id number customerId status fulfillmentStatus currency placedAt
    subtotal { minorUnits currency } shippingTotal { minorUnits } discountTotal { minorUnits } taxTotal { minorUnits } total { minorUnits currency fractionDigits }
    lineItems {
      nodes { id sku title variant { sku } quantity unitPrice { minorUnits currency } discountTotal { minorUnits } total { minorUnits }
        taxLines { title rate amount { minorUnits currency } } }
      pageInfo { hasNextPage hasPreviousPage }
    }
  }
}`
const LINE_ITEMS = `query ($id: ID!, $first: Int, $after: String) {
  order(id: $id) { lineItems(first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }
}`
const FULFILLMENT = `query ($id: ID!) {
  order(id: $id) {
    fulfillmentOrders {
      id status assignedLocation { id } order { id }
      lines { quantity lineItem { id } }
      fulfillments { id createdAt carrier trackingNumber lines { quantity lineItem { id sku } } }
    }
    returns { id status order { number } lines { quantity reason restock lineItem { id } } }
  }
}`

describe('Query.order and the fields of an order', () => {
  let t: SubgraphTestApp
  let test: TestDatabase
  let app: FastifyInstance
  before(async () => {
    t = await openSubgraphTestApp(orders)
    test = t.test
    app = t.app
    await test.db.transaction((tx) =>
      insertReturn(tx, { id: 'ret_test_1', orderId: 'ord_0025', status: 'REQUESTED', lines: [{ lineItemId: 'li_0025_2', quantity: 1, reason: 'too small', restock: true }] }),
    )
  })
  after(() => t.close())

  it('returns the order with its immutable line snapshots, tax lines and totals from the demo store', async () => {
    const expected = worldOrder('ord_0003') // c_1003, DE, VAT included
    const { data, errors } = await execute(app, ORDER, { id: 'ord_0003' }, customer('c_1003'))
    assert.equal(errors, undefined)
    assert.deepEqual(data?.['order'], {
      id: 'ord_0003', number: '#1003', customerId: 'c_1003', status: 'CLOSED', fulfillmentStatus: 'FULFILLED', currency: 'EUR',
      placedAt: expected.placedAt.toISOString(),
      subtotal: { minorUnits: String(expected.subtotal), currency: 'EUR' },
      shippingTotal: { minorUnits: '0' }, discountTotal: { minorUnits: '0' },
      taxTotal: { minorUnits: '4163' },
      total: { minorUnits: '26075', currency: 'EUR', fractionDigits: 2 },
      lineItems: {
        nodes: expected.lineItems.map((li) => ({
          id: li.id, sku: li.sku, title: li.title, variant: { sku: li.sku }, quantity: li.quantity,
          unitPrice: { minorUnits: String(li.unitPrice), currency: 'EUR' }, discountTotal: { minorUnits: '0' }, total: { minorUnits: String(li.total) },
          taxLines: [{ title: 'VAT', rate: '0.19', amount: { minorUnits: String(li.taxLines[0]?.amount), currency: 'EUR' } }],
        })),
        pageInfo: { hasNextPage: false, hasPreviousPage: false },
      },
    })
  })

  it('finds an order by its number', async () => {
    const { data } = await execute(app, `{ order(number: "#1073") { id number total { minorUnits } } }`, {}, customer('c_1001'))
    assert.deepEqual(data?.['order'], { id: 'ord_0073', number: '#1073', total: { minorUnits: '52931' } })
  })

  it('refuses both or neither of id and number with BAD_USER_INPUT', async () => {
    const both = await execute(app, `{ order(id: "ord_0001", number: "#1001") { id } }`, {}, customer('c_1001'))
    const neither = await execute(app, `{ order { id } }`, {}, customer('c_1001'))
    assert.equal(both.errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
    assert.equal(neither.errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
    assert.deepEqual(both.data, { order: null })
  })

  it("returns null for another customer's order by id or number, exactly like a missing one", async () => {
    for (const variables of [{ id: 'ord_0003' }, { number: '#1003' }]) {
      const other = await execute(app, ORDER, variables, customer('c_1001'))
      assert.deepEqual(other.data, { order: null })
      assert.equal(other.errors, undefined)
    }
    const missing = await execute(app, ORDER, { id: 'ord_9999' }, customer('c_1001'))
    assert.deepEqual(missing.data, { order: null })
  })

  it('returns null to an anonymous viewer and the order to staff', async () => {
    assert.deepEqual((await execute(app, ORDER, { id: 'ord_0001' }, viewer())).data, { order: null })
    assert.equal((await execute(app, ORDER, { number: '#1003' }, staff())).data?.['order'].id, 'ord_0003')
  })

  it('pages through line items forward with opaque cursors', async () => {
    const first = await execute(app, LINE_ITEMS, { id: 'ord_0025', first: 2 }, customer('c_1001'))
    const page1 = first.data?.['order'].lineItems
    assert.deepEqual(page1.edges.map((e: any) => e.node.id), ['li_0025_1', 'li_0025_2'])
    assert.deepEqual([page1.pageInfo.hasNextPage, page1.pageInfo.hasPreviousPage], [true, false])
    const second = await execute(app, LINE_ITEMS, { id: 'ord_0025', first: 2, after: page1.pageInfo.endCursor }, customer('c_1001'))
    const page2 = second.data?.['order'].lineItems
    assert.deepEqual(page2.edges.map((e: any) => e.node.id), ['li_0025_3'])
    assert.deepEqual([page2.pageInfo.hasNextPage, page2.pageInfo.hasPreviousPage], [false, true])
  })

  it('defaults to 50 line items and refuses a page over the maximum or a foreign cursor', async () => {
    const all = await execute(app, `{ order(id: "ord_0025") { lineItems { nodes { id } } } }`, {}, staff())
    assert.equal(all.data?.['order'].lineItems.nodes.length, 3)
    const tooMany = await execute(app, LINE_ITEMS, { id: 'ord_0025', first: testConfig.maxPageSize + 1 }, staff())
    assert.equal(tooMany.errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
    for (const cursor of ['not-a-cursor', encodeCursor('OrderConnection', ['2026-01-01T00:00:00.000000Z', 'ord_0001']), encodeCursor('LineItemConnection', ['x']), encodeCursor('LineItemConnection', [2 ** 40])]) {
      const bad = await execute(app, LINE_ITEMS, { id: 'ord_0025', after: cursor }, staff())
      assert.equal(bad.errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT', cursor)
    }
  })

  it('shows the fulfillment order at the committing location and the fulfillment that shipped a fulfilled order', async () => {
    const expected = worldOrder('ord_0003')
    const { data, errors } = await execute(app, FULFILLMENT, { id: 'ord_0003' }, customer('c_1003'))
    assert.equal(errors, undefined)
    assert.deepEqual(data?.['order'], {
      fulfillmentOrders: [{
        id: 'fo_0003', status: 'CLOSED', assignedLocation: { id: 'loc_wh_eu' }, order: { id: 'ord_0003' },
        lines: expected.lineItems.map((li) => ({ quantity: li.quantity, lineItem: { id: li.id } })),
        fulfillments: [{
          id: 'ful_0003', createdAt: new Date(expected.placedAt.getTime() + 86_400_000).toISOString(), carrier: 'DHL', trackingNumber: 'TRK0000001003',
          lines: expected.lineItems.map((li) => ({ quantity: li.quantity, lineItem: { id: li.id, sku: li.sku } })),
        }],
      }],
      returns: [],
    })
  })

  it('shows an open fulfillment order without fulfillments for an unfulfilled order, and a cancelled one for a cancelled order', async () => {
    const open = await execute(app, FULFILLMENT, { id: 'ord_0073' }, customer('c_1001'))
    assert.deepEqual(open.data?.['order'].fulfillmentOrders.map((f: any) => [f.id, f.status, f.assignedLocation.id, f.fulfillments]), [['fo_0073', 'OPEN', 'loc_wh_east', []]])
    const cancelled = await execute(app, FULFILLMENT, { id: 'ord_0027' }, customer('c_1003'))
    assert.deepEqual(cancelled.data?.['order'].fulfillmentOrders.map((f: any) => f.status), ['CANCELLED'])
  })

  it("lists an order's returns with their lines", async () => {
    const { data } = await execute(app, FULFILLMENT, { id: 'ord_0025' }, customer('c_1001'))
    assert.deepEqual(data?.['order'].returns, [
      { id: 'ret_test_1', status: 'REQUESTED', order: { number: '#1025' }, lines: [{ quantity: 1, reason: 'too small', restock: true, lineItem: { id: 'li_0025_2' } }] },
    ])
  })

  it('tells what happened to a demo order on its timeline, oldest first', async () => {
    const query = `query ($id: ID!) { order(id: $id) { status cancelReason cancelledAt timeline { type occurredAt message } } }`
    const shipped = worldOrder('ord_0003')
    const { data } = await execute(app, query, { id: 'ord_0003' }, customer('c_1003'))
    assert.deepEqual(data?.['order'], {
      status: 'CLOSED', cancelReason: null, cancelledAt: null,
      timeline: [
        { type: 'PLACED', occurredAt: shipped.placedAt.toISOString(), message: 'Order #1003 placed' },
        { type: 'FULFILLMENT_CREATED', occurredAt: new Date(shipped.placedAt.getTime() + 86_400_000).toISOString(), message: 'Shipped from loc_wh_eu' },
        { type: 'CLOSED', occurredAt: new Date(shipped.placedAt.getTime() + 86_400_000).toISOString(), message: 'Order #1003 closed: everything shipped and was paid' },
      ],
    })
    const cancelled = worldOrder('ord_0027')
    const other = await execute(app, query, { id: 'ord_0027' }, customer('c_1003'))
    const cancelledAt = new Date(cancelled.placedAt.getTime() + 3_600_000).toISOString()
    assert.deepEqual(other.data?.['order'], {
      status: 'CANCELLED', cancelReason: 'Cancelled by the store; payment voided', cancelledAt,
      timeline: [
        { type: 'PLACED', occurredAt: cancelled.placedAt.toISOString(), message: 'Order #1027 placed' },
        { type: 'CANCELLED', occurredAt: cancelledAt, message: 'Order #1027 cancelled: Cancelled by the store; payment voided' },
      ],
    })
  })

})
