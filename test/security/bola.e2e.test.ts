import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { SubgraphName } from '../../platform/subgraphRegistry.ts'
import { buildWorld } from '../../seed/world.ts'
import { asCustomer, asStaff, query, type Stack } from '../stack.ts'
import { assertAlive, assertNoLeak, callSubgraph, graphqlBody, signedFor, viewerOf } from './attackSupport.ts'
import { defaults, startSecurityStack } from './securityStack.ts'

const world = buildWorld()
const ATTACKER = 'c_1001'
const VICTIM = 'c_1002'
const own = world.orders.filter((o) => o.customerId === ATTACKER)
const theirs = world.orders.filter((o) => o.customerId === VICTIM)
const victimOrder = theirs[0]!

describe('broken object-level authorization: one customer reaching for another\'s orders (attack suite)', () => {
  let stack: Stack
  before(async () => {
    assert.ok(own.length > 0 && theirs.length > 0, 'the world gives both customers orders')
    stack = await startSecurityStack({ gatewayConfig: { rateLimit: { ...defaults.rateLimit, enabled: false }, anomaly: { ...defaults.anomaly, enabled: false } } })
  })
  after(() => stack.close())

  /** What the victim's data would give away if it leaked into an answer. */
  const assertNothingOfTheVictim = (raw: string) => {
    for (const secret of [VICTIM, victimOrder.id, victimOrder.number, ...victimOrder.lineItems.map((l) => l.id)]) {
      assert.ok(!raw.includes(secret), `the answer names ${secret}: ${raw.slice(0, 300)}`)
    }
  }

  it('answers another customer\'s order by number with null and no error, exactly like a missing one', async () => {
    const document = 'query ($n: String) { order(number: $n) { id number customerId total { minorUnits } } }'
    const theirsAnswer = await query(stack, document, { n: victimOrder.number }, asCustomer(ATTACKER))
    const missing = await query(stack, document, { n: '#999999' }, asCustomer(ATTACKER))
    assert.deepEqual(theirsAnswer.body, { data: { order: null } })
    assertNoLeak(stack, theirsAnswer.raw)
    assert.deepEqual(theirsAnswer.body, missing.body, 'someone else\'s order and a missing one cannot be told apart')
    assert.equal(theirsAnswer.statusCode, missing.statusCode)
    const staff = await query(stack, document, { n: victimOrder.number }, asStaff)
    assert.equal(staff.body.data?.['order'].customerId, VICTIM, 'the order exists: staff read it')
  })

  it('answers another customer\'s order by id with null, and the money hanging off it too', async () => {
    const staff = await query(stack, 'query ($id: ID) { order(id: $id) { payments { id } invoices { id } } }', { id: victimOrder.id }, asStaff)
    const paymentId = staff.body.data?.['order'].payments[0].id as string
    const invoiceId = staff.body.data?.['order'].invoices[0].id as string
    const answer = await query(
      stack,
      'query ($id: ID, $p: ID!, $i: ID!) { order(id: $id) { id customerId lineItems(first: 5) { nodes { id sku } } } payment(id: $p) { id captured { minorUnits } } invoice(id: $i) { id } }',
      { id: victimOrder.id, p: paymentId, i: invoiceId },
      asCustomer(ATTACKER),
    )
    assert.deepEqual(answer.body, { data: { order: null, payment: null, invoice: null } })
    assertNothingOfTheVictim(answer.raw)
    assertNoLeak(stack, answer.raw)
  })

  it('lists only the viewer\'s own orders, whatever the filter or page size', async () => {
    for (const variables of [{ first: 100 }, { first: 100, filter: { status: 'OPEN' } }, { first: 100, filter: { sku: victimOrder.lineItems[0]!.sku } }]) {
      const answer = await query(stack, 'query ($first: Int, $filter: OrderFilter) { orders(first: $first, filter: $filter) { nodes { number customerId } } }', variables, asCustomer(ATTACKER))
      assert.equal(answer.body.errors, undefined, answer.raw)
      const nodes = answer.body.data?.['orders'].nodes as { number: string; customerId: string }[]
      assert.ok(nodes.every((o) => o.customerId === ATTACKER), JSON.stringify(nodes))
      assertNothingOfTheVictim(answer.raw)
      if (variables.filter === undefined) assert.deepEqual(nodes.map((o) => o.number).sort(), own.map((o) => o.number).sort())
    }
  })

  /** An `_entities` call straight to a subgraph, with a genuine signature for the attacker. */
  async function entitiesAsAttacker(subgraph: SubgraphName, representations: string, selection: string) {
    const body = graphqlBody(`{ _entities(representations: [${representations}]) { ${selection} } }`)
    stack.resetCounters()
    const answer = await callSubgraph(stack, subgraph, { body, viewerHeader: signedFor(viewerOf(ATTACKER), body) })
    assert.equal(answer.status, 200, answer.raw)
    assert.equal(answer.body?.errors, undefined, answer.raw)
    assertNoLeak(stack, answer.raw)
    return answer
  }

  it('answers an _entities call to orders for another customer\'s order with a null entity, even with a valid signature', async () => {
    const answer = await entitiesAsAttacker(
      'orders',
      `{__typename: "Order", id: "${victimOrder.id}"}, {__typename: "Order", number: "${victimOrder.number}"}, {__typename: "Order", id: "${own[0]!.id}"}`,
      '... on Order { id number customerId status total { minorUnits } }',
    )
    const entities = answer.body?.data?.['_entities'] as unknown[]
    assert.deepEqual(entities.slice(0, 2), [null, null])
    // the signature is genuine: the attacker's own order comes back through the same call
    assert.deepEqual(entities[2], { id: own[0]!.id, number: own[0]!.number, customerId: ATTACKER, status: own[0]!.status, total: { minorUnits: String(own[0]!.total) } })
    assertNothingOfTheVictim(answer.raw)
  })

  it('answers _entities for another customer\'s line items, payments and invoices with null entities', async () => {
    const lineItems = await entitiesAsAttacker('orders', `{__typename: "LineItem", id: "${victimOrder.lineItems[0]!.id}"}`, '... on LineItem { id sku quantity }')
    assert.deepEqual(lineItems.body?.data?.['_entities'], [null])
    const staff = await query(stack, 'query ($id: ID) { order(id: $id) { payments { id } invoices { id } } }', { id: victimOrder.id }, asStaff)
    const { payments, invoices } = staff.body.data?.['order'] as { payments: { id: string }[]; invoices: { id: string }[] }
    const money = await entitiesAsAttacker(
      'finance',
      `{__typename: "Order", id: "${victimOrder.id}"}, {__typename: "Payment", id: "${payments[0]!.id}"}, {__typename: "Invoice", id: "${invoices[0]!.id}"}`,
      '... on Order { id financialStatus payments { id } } ... on Payment { id captured { minorUnits } } ... on Invoice { id }',
    )
    assert.deepEqual(money.body?.data?.['_entities'], [null, null, null])
    assertNothingOfTheVictim(lineItems.raw + money.raw)
    await assertAlive(stack)
  })
})
