import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import type { CountingDatabase } from '../../platform/countingDatabase.ts'
import { customer, execute, openSubgraphTestApp, staff, viewer, type SubgraphTestApp, type TestDatabase } from '../../platform/testing.ts'
import type { Viewer } from '../../platform/viewer.ts'
import { buildWorld } from '../../seed/world.ts'
import { orders } from './subgraph.ts'
import { insertReturn } from './store/returnStore.ts'

const ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Cart { id customerId total { minorUnits } }
    ... on Order { id number customerId }
    ... on LineItem { id sku }
    ... on FulfillmentOrder { id status order { id } }
    ... on Fulfillment { id carrier }
    ... on Return { id returnStatus: status order { id } }
  }
}`

/** One representation per key of every entity, all owned by c_1001 (cart_0001, ord_0001). */
const OWN = [
  { __typename: 'Cart', id: 'cart_0001' },
  { __typename: 'Order', id: 'ord_0001' },
  { __typename: 'Order', number: '#1025' },
  { __typename: 'LineItem', id: 'li_0001_1' },
  { __typename: 'FulfillmentOrder', id: 'fo_0001' },
  { __typename: 'Fulfillment', id: 'ful_0001' },
  { __typename: 'Return', id: 'ret_0001' },
]
const RESOLVED = [
  { __typename: 'Cart', id: 'cart_0001', customerId: 'c_1001', total: { minorUnits: '5303' } },
  { __typename: 'Order', id: 'ord_0001', number: '#1001', customerId: 'c_1001' },
  { __typename: 'Order', id: 'ord_0025', number: '#1025', customerId: 'c_1001' },
  { __typename: 'LineItem', id: 'li_0001_1', sku: buildWorld().orders[0]?.lineItems[0]?.sku },
  { __typename: 'FulfillmentOrder', id: 'fo_0001', status: 'CLOSED', order: { id: 'ord_0001' } },
  { __typename: 'Fulfillment', id: 'ful_0001', carrier: 'UPS' },
  { __typename: 'Return', id: 'ret_0001', returnStatus: 'REQUESTED', order: { id: 'ord_0001' } },
]

describe('_entities', () => {
  let t: SubgraphTestApp
  let test: TestDatabase
  let counted: CountingDatabase
  let app: FastifyInstance
  before(async () => {
    t = await openSubgraphTestApp(orders)
    test = t.test
    app = t.app
    counted = t.db
    await test.db.transaction((tx) =>
      insertReturn(tx, { id: 'ret_0001', orderId: 'ord_0001', status: 'REQUESTED', lines: [{ lineItemId: 'li_0001_1', quantity: 1, reason: null, restock: true }] }),
    )
  })
  after(() => t.close())

  const resolve = async (representations: object[], who: Viewer) => {
    const { data, errors } = await execute(app, ENTITIES, { representations }, who)
    assert.equal(errors, undefined, JSON.stringify(errors))
    return data?.['_entities'] as unknown[]
  }

  it('resolves every key of every entity for its owner', async () => {
    assert.deepEqual(await resolve(OWN, customer('c_1001')), RESOLVED)
  })

  it("resolves another customer's entities to null, exactly like missing ones", async () => {
    assert.deepEqual(await resolve(OWN, customer('c_1002')), OWN.map(() => null))
    const missing = OWN.map((ref) => ('number' in ref ? { ...ref, number: '#9999' } : { ...ref, id: `${ref.id}_missing` }))
    assert.deepEqual(await resolve(missing, customer('c_1001')), OWN.map(() => null))
  })

  it('resolves nothing for an anonymous viewer', async () => {
    assert.deepEqual(await resolve(OWN, viewer()), OWN.map(() => null))
  })

  it('resolves every entity for staff', async () => {
    assert.deepEqual(await resolve(OWN, staff()), RESOLVED)
  })

  it('batches representations: one statement per entity lookup, however many are asked for', async () => {
    const many = Array.from({ length: 20 }, (_, i) => [
      { __typename: 'Order', id: `ord_${String(i + 1).padStart(4, '0')}` },
      { __typename: 'Order', number: `#${1041 + i}` },
      { __typename: 'LineItem', id: `li_${String(i + 1).padStart(4, '0')}_1` },
      { __typename: 'FulfillmentOrder', id: `fo_${String(i + 1).padStart(4, '0')}` },
    ]).flat()
    const before = counted.counter.queries
    const resolved = await execute(app, `query ($representations: [_Any!]!) { _entities(representations: $representations) { __typename ... on Order { id } ... on LineItem { id } ... on FulfillmentOrder { id } } }`, { representations: many }, staff())
    assert.equal((resolved.data?.['_entities'] as unknown[]).filter((e) => e !== null).length, 80)
    // orders by id, orders by number, line items, fulfillment orders
    assert.equal(counted.counter.queries - before, 4)
  })
})
