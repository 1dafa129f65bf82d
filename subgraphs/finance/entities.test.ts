import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { customer, execute, openSubgraphTestApp, staff, type SubgraphTestApp } from '../../platform/testing.ts'
import { ANONYMOUS, type Viewer } from '../../platform/viewer.ts'
import { buildWorld, type WorldOrder } from '../../seed/world.ts'
import { finance } from './subgraph.ts'

const world = buildWorld()
const orderOf = (id: string) => world.orders.find((o) => o.id === id) as WorldOrder
const totalOf = (order: WorldOrder) => ({ minorUnits: String(order.total), currency: order.currency, fractionDigits: 2 })
const orderRef = (order: WorldOrder) => ({ __typename: 'Order', id: order.id, total: totalOf(order) })

const ENTITIES = `query($representations: [_Any!]!) { _entities(representations: $representations) {
  __typename
  ... on Order { id financialStatus balanceDue { minorUnits currency fractionDigits } payments { id } invoices { id number } refunds { id } }
  ... on Payment { id order { id } captured { minorUnits } }
  ... on Invoice { id order { id } invoiceStatus: status }
  ... on Refund { id order { id } amount { minorUnits } return { id } transactions { kind } }
  ... on JournalEntry { id sourceDocumentUri lines { accountCode } }
  ... on Settlement { id status }
} }`

describe('entity resolution', () => {
  let t: SubgraphTestApp
  let app: FastifyInstance
  const resolve = async (representations: unknown[], who: Viewer) => {
    const { data, errors } = await execute(app, ENTITIES, { representations }, who)
    assert.equal(errors, undefined)
    return data?.['_entities'] as (Record<string, any> | null)[]
  }
  let refundId: string
  before(async () => {
    t = await openSubgraphTestApp(finance)
    app = t.app
    const { data } = await execute(app, `mutation { refundCreate(input: { idempotencyKey: "entities-1", orderId: "ord_0001", returnId: "ret_1",
      amount: { minorUnits: "500", currency: "USD" } }) { refund { id } userErrors { code } } }`, {}, staff())
    refundId = data?.['refundCreate'].refund.id
  })
  after(() => t.close())

  it('publishes its SDL with the Order contribution and the entity keys', async () => {
    const { data } = await execute(app, `{ _service { sdl } }`, {}, ANONYMOUS)
    const sdl: string = data?.['_service'].sdl
    assert.match(sdl, /type Order\s+@key\(fields: "id"\)/)
    assert.match(sdl, /balanceDue: Money @requires\(fields: "total \{ minorUnits currency fractionDigits \}"\)/)
    for (const type of ['Payment', 'Invoice', 'Refund', 'JournalEntry', 'Settlement']) assert.match(sdl, new RegExp(`type ${type}\\s+@key\\(fields: "id"\\)`))
  })

  describe('Order by id', () => {
    it('derives financialStatus and balanceDue of every seeded order from its payments', async () => {
      const entities = await resolve(world.orders.map(orderRef), staff())
      const expected = world.orders.map((order) => ({
        status: order.id === 'ord_0001' ? 'PARTIALLY_REFUNDED' : order.financialStatus,
        // AUTHORIZED: nothing captured yet, all of it is due; PAID: nothing; VOIDED: the sale is off
        balanceDue: order.financialStatus === 'AUTHORIZED' ? String(order.total) : '0',
      }))
      assert.deepEqual(entities.map((e) => ({ status: e?.['financialStatus'], balanceDue: e?.['balanceDue'].minorUnits })), expected)
      assert.deepEqual(new Set(entities.map((e) => e?.['financialStatus'])), new Set(['PAID', 'AUTHORIZED', 'VOIDED', 'PARTIALLY_REFUNDED']))
    })

    it("lists the order's payments, invoices and refunds", async () => {
      const [own] = await resolve([orderRef(orderOf('ord_0001'))], customer('c_1001'))
      assert.deepEqual(own, {
        __typename: 'Order', id: 'ord_0001', financialStatus: 'PARTIALLY_REFUNDED', balanceDue: { minorUnits: '0', currency: 'USD', fractionDigits: 2 },
        payments: [{ id: 'pay_0001' }], invoices: [{ id: 'inv_0001', number: 'INV-2026-00001' }], refunds: [{ id: refundId }],
      })
    })

    it('keeps the currency orders sent with the total', async () => {
      const eur = world.orders.find((o) => o.currency === 'EUR' && o.financialStatus === 'AUTHORIZED') as WorldOrder
      const [entity] = await resolve([orderRef(eur)], staff())
      assert.deepEqual(entity?.['balanceDue'], totalOf(eur))
    })

    it("resolves another customer's order, and any order for anonymous viewers, to null", async () => {
      assert.deepEqual(await resolve([orderRef(orderOf('ord_0002')), orderRef(orderOf('ord_0001'))], customer('c_1001')).then((e) => e.map((x) => x?.['id'] ?? null)),
        [null, 'ord_0001'])
      assert.deepEqual(await resolve([orderRef(orderOf('ord_0001'))], ANONYMOUS), [null])
    })

    it('resolves an order finance has not heard of yet as PENDING with nothing paid', async () => {
      const [entity] = await resolve([{ __typename: 'Order', id: 'ord_9999', total: { minorUnits: '1250', currency: 'USD', fractionDigits: 2 } }], customer('c_1001'))
      assert.deepEqual(entity, {
        __typename: 'Order', id: 'ord_9999', financialStatus: 'PENDING', balanceDue: { minorUnits: '1250', currency: 'USD', fractionDigits: 2 },
        payments: [], invoices: [], refunds: [],
      })
    })
  })

  describe('Payment, Invoice and Refund by id', () => {
    it('resolves them for their owner and for staff', async () => {
      const reps = [{ __typename: 'Payment', id: 'pay_0001' }, { __typename: 'Invoice', id: 'inv_0001' }, { __typename: 'Refund', id: refundId }]
      const expected = [
        { __typename: 'Payment', id: 'pay_0001', order: { id: 'ord_0001' }, captured: { minorUnits: String(orderOf('ord_0001').total) } },
        { __typename: 'Invoice', id: 'inv_0001', order: { id: 'ord_0001' }, invoiceStatus: 'PAID' },
        { __typename: 'Refund', id: refundId, order: { id: 'ord_0001' }, amount: { minorUnits: '500' }, return: { id: 'ret_1' }, transactions: [{ kind: 'REFUND' }] },
      ]
      assert.deepEqual(await resolve(reps, customer('c_1001')), expected)
      assert.deepEqual(await resolve(reps, staff()), expected)
    })

    it("resolves another customer's, an anonymous viewer's and unknown ones to null", async () => {
      const reps = [{ __typename: 'Payment', id: 'pay_0001' }, { __typename: 'Invoice', id: 'inv_0001' }, { __typename: 'Refund', id: refundId }]
      assert.deepEqual(await resolve(reps, customer('c_1002')), [null, null, null])
      assert.deepEqual(await resolve(reps, ANONYMOUS), [null, null, null])
      const unknown = [{ __typename: 'Payment', id: 'pay_x' }, { __typename: 'Invoice', id: 'inv_x' }, { __typename: 'Refund', id: 'ref_x' }]
      assert.deepEqual(await resolve(unknown, staff()), [null, null, null])
    })
  })

  describe('JournalEntry and Settlement by id', () => {
    it('resolves them for staff', async () => {
      const entities = await resolve([{ __typename: 'JournalEntry', id: 'je_0001_capture' }, { __typename: 'Settlement', id: 'stl_0002' }], staff())
      assert.deepEqual(entities, [
        { __typename: 'JournalEntry', id: 'je_0001_capture', sourceDocumentUri: 'gid://finance/PaymentTransaction/txn_0001_capture', lines: [{ accountCode: '1000' }, { accountCode: '1100' }] },
        { __typename: 'Settlement', id: 'stl_0002', status: 'DISCREPANCY' },
      ])
    })

    it('resolves them to null for customers and anonymous viewers', async () => {
      const reps = [{ __typename: 'JournalEntry', id: 'je_0001_capture' }, { __typename: 'Settlement', id: 'stl_0002' }]
      assert.deepEqual(await resolve(reps, customer('c_1001')), [null, null])
      assert.deepEqual(await resolve(reps, ANONYMOUS), [null, null])
    })
  })
})
