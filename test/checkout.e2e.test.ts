import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { openTestDatabase, type TestDatabase } from '../platform/testing.ts'
import { asCustomer, asStaff, query, startStack, type Stack } from './stack.ts'
import { SUBGRAPHS } from '../subgraphs/registry.ts'

const ADD = `mutation ($input: CartLinesAddInput!) { cartLinesAdd(input: $input) { cart { id total { minorUnits currency } } userErrors { code field message } } }`
const CHECKOUT = `mutation ($input: CheckoutCompleteInput!) {
  checkoutComplete(input: $input) { order { id number status } userErrors { code field message } }
}`
const ORDER = `query ($id: ID!) {
  order(id: $id) { id status cancelReason financialStatus balanceDue { minorUnits } timeline { type } payments { authorized { minorUnits } } invoices { status total { minorUnits } } }
}`
const LEVELS = `query ($skus: [String!]!) {
  inventoryLevels(filter: { skus: $skus }, first: 10) { nodes { location { id } quantities { name quantity } } }
}`

type Quantities = Record<string, number>

async function cartFor(stack: Stack, customer: string, lines: { sku: string; quantity: number }[]) {
  const { body } = await query(stack, ADD, { input: { idempotencyKey: `cart-${customer}`, currency: 'USD', countryCode: 'US', lines } }, asCustomer(customer))
  const payload = body.data?.['cartLinesAdd']
  assert.deepEqual(payload?.userErrors, [], JSON.stringify(body))
  return payload.cart as { id: string; total: { minorUnits: string; currency: string } }
}

async function checkout(stack: Stack, customer: string, cart: { id: string; total: unknown }, key: string, token = 'tok_ok') {
  const { body } = await query(stack, CHECKOUT, { input: { idempotencyKey: key, cartId: cart.id, paymentMethodToken: token, expectedTotal: cart.total } }, asCustomer(customer))
  assert.equal(body.errors, undefined, JSON.stringify(body.errors))
  return body.data!['checkoutComplete'] as { order: { id: string; number: string; status: string } | null; userErrors: { code: string; field: string[] }[] }
}

async function levels(stack: Stack, sku: string): Promise<Record<string, Quantities>> {
  const { body } = await query(stack, LEVELS, { skus: [sku] }, asStaff)
  return Object.fromEntries(
    body.data!['inventoryLevels'].nodes.map((n: any) => [n.location.id, Object.fromEntries(n.quantities.map((q: any) => [q.name, q.quantity]))]),
  )
}

/** Sets AVAILABLE of `sku` at every location (compare-and-set against what was read). */
async function setAvailable(stack: Stack, sku: string, wanted: Record<string, number>) {
  const current = await levels(stack, sku)
  const changes = Object.entries(wanted)
    .filter(([location, quantity]) => current[location]!['AVAILABLE'] !== quantity)
    .map(([location, quantity]) => ({ sku, locationId: location, name: 'AVAILABLE', delta: quantity - current[location]!['AVAILABLE']!, changeFromQuantity: current[location]!['AVAILABLE'] }))
  if (changes.length === 0) return
  const { body } = await query(
    stack,
    `mutation ($input: InventoryAdjustInput!) { inventoryAdjustQuantities(input: $input) { userErrors { code field message } } }`,
    { input: { idempotencyKey: `set-${sku}-${Date.now()}`, reason: 'CORRECTION', changes } },
    asStaff,
  )
  assert.deepEqual(body.data!['inventoryAdjustQuantities'].userErrors, [])
}

async function assertLedgerBalances(db: TestDatabase['db']) {
  const unbalanced = await db.query(
    `select entry_id, currency from finance.journal_lines group by entry_id, currency
     having sum(case when direction = 'DEBIT' then amount else -amount end) <> 0`,
  )
  assert.deepEqual(unbalanced.rows, [], 'every journal entry balances per currency')
  const totals = await db.query<{ currency: string; debits: string; credits: string }>(
    `select currency, sum(amount) filter (where direction = 'DEBIT') as debits, sum(amount) filter (where direction = 'CREDIT') as credits
     from finance.journal_lines group by currency`,
  )
  for (const row of totals.rows) assert.equal(row.debits, row.credits, `debits equal credits in ${row.currency}`)
}

describe('checkout through the gateway, with every consumer running', () => {
  let stack: Stack
  before(async () => {
    stack = await startStack()
  })
  after(async () => {
    await assertLedgerBalances(stack.test.db)
    await stack.close()
  })

  it('places an order, reserves then commits its stock, authorizes the payment and invoices it', async () => {
    const sku = 'APP-0002-M'
    const before = await levels(stack, sku)
    const cart = await cartFor(stack, 'c_flow_1', [{ sku, quantity: 2 }])
    const { order, userErrors } = await checkout(stack, 'c_flow_1', cart, 'flow-1')
    assert.deepEqual(userErrors, [])
    assert.equal(order?.status, 'OPEN')
    await stack.flushEvents()

    const { body } = await query(stack, ORDER, { id: order!.id }, asCustomer('c_flow_1'))
    const placed = body.data!['order']
    assert.equal(placed.status, 'OPEN')
    assert.equal(placed.financialStatus, 'AUTHORIZED')
    assert.deepEqual(placed.timeline.map((t: any) => t.type), ['PLACED', 'PAYMENT_AUTHORIZED'])
    assert.equal(placed.payments[0].authorized.minorUnits, cart.total.minorUnits)
    assert.deepEqual(placed.invoices.map((i: any) => [i.status, i.total.minorUnits]), [['ISSUED', cart.total.minorUnits]])
    assert.equal(placed.balanceDue.minorUnits, cart.total.minorUnits)

    const afterLevels = await levels(stack, sku)
    const moved = Object.keys(before).filter((loc) => afterLevels[loc]!['COMMITTED'] !== before[loc]!['COMMITTED'])
    assert.equal(moved.length, 1, 'one location committed the units')
    const loc = moved[0]!
    assert.equal(afterLevels[loc]!['COMMITTED']! - before[loc]!['COMMITTED']!, 2)
    assert.equal(afterLevels[loc]!['AVAILABLE'], before[loc]!['AVAILABLE']! - 2)
    assert.equal(afterLevels[loc]!['RESERVED'], before[loc]!['RESERVED'])
    assert.equal(afterLevels[loc]!['ON_HAND'], before[loc]!['ON_HAND'], 'ON_HAND is unchanged until fulfillment')
  })

  it('sells exactly the 10 units there are to 100 concurrent shoppers, never below zero', async () => {
    const sku = 'APP-0003-L'
    await setAvailable(stack, sku, { loc_wh_east: 10, loc_wh_eu: 0 })
    const before = await levels(stack, sku)
    const shoppers = Array.from({ length: 100 }, (_, i) => `c_race_${i}`)
    const carts = await Promise.all(shoppers.map((c) => cartFor(stack, c, [{ sku, quantity: 1 }])))
    const results = await Promise.all(shoppers.map((c, i) => checkout(stack, c, carts[i]!, `race-${i}`)))
    const placed = results.filter((r) => r.order)
    const refused = results.filter((r) => !r.order)
    assert.equal(placed.length, 10)
    assert.ok(refused.every((r) => r.userErrors.length > 0 && r.userErrors.every((e) => e.code === 'INSUFFICIENT_STOCK')), JSON.stringify(refused[0]))
    await stack.flushEvents()

    const { rows } = await stack.test.db.query<{ n: string }>(`select count(*) as n from orders.orders where customer_id like 'c_race_%'`)
    assert.equal(Number(rows[0]!.n), 10)
    const after = await levels(stack, sku)
    for (const quantities of Object.values(after)) for (const [name, q] of Object.entries(quantities)) assert.ok(q >= 0, `${name} ${q}`)
    assert.equal(after['loc_wh_east']!['AVAILABLE'], 0)
    assert.equal(after['loc_wh_east']!['COMMITTED']! - before['loc_wh_east']!['COMMITTED']!, 10)
    assert.equal(after['loc_wh_east']!['ON_HAND'], before['loc_wh_east']!['ON_HAND'])
  })

  it('replays the first order for a repeated key, refuses the key for another cart, and keeps one order row', async () => {
    const cart = await cartFor(stack, 'c_idem_1', [{ sku: 'APP-0005-M', quantity: 1 }])
    const first = await checkout(stack, 'c_idem_1', cart, 'idem-key')
    const again = await checkout(stack, 'c_idem_1', cart, 'idem-key')
    assert.deepEqual(again, first)
    const { body } = await query(stack, ADD, { input: { idempotencyKey: 'cart-c_idem_1-b', currency: 'USD', countryCode: 'US', lines: [{ sku: 'APP-0005-S', quantity: 1 }] } }, asCustomer('c_idem_1'))
    const otherCart = body.data!['cartLinesAdd'].cart
    const reused = await checkout(stack, 'c_idem_1', otherCart, 'idem-key')
    assert.equal(reused.order, null)
    assert.deepEqual(reused.userErrors.map((e) => e.code), ['IDEMPOTENCY_KEY_REUSED'])
    const { rows } = await stack.test.db.query(`select 1 from orders.orders where customer_id = 'c_idem_1'`)
    assert.equal(rows.length, 1)
  })

  it('lets one of two concurrent requests with the same key win, with one order row', async () => {
    const cart = await cartFor(stack, 'c_idem_2', [{ sku: 'APP-0005-L', quantity: 1 }])
    const [a, b] = await Promise.all([checkout(stack, 'c_idem_2', cart, 'same-key'), checkout(stack, 'c_idem_2', cart, 'same-key')])
    const outcomes = [a, b].map((r) => (r.order ? `order:${r.order.id}` : r.userErrors.map((e) => e.code).join()))
    assert.ok(outcomes.some((o) => o.startsWith('order:')), outcomes.join(' | '))
    assert.ok(outcomes.every((o) => o.startsWith('order:') || o === 'IDEMPOTENCY_CONCURRENT_REQUEST'), outcomes.join(' | '))
    assert.equal(new Set(outcomes.filter((o) => o.startsWith('order:'))).size, 1)
    const { rows } = await stack.test.db.query(`select 1 from orders.orders where customer_id = 'c_idem_2'`)
    assert.equal(rows.length, 1)
  })

  it('cancels the order with a reason and holds no stock when the payment is declined', async () => {
    const sku = 'APP-0006-M'
    await setAvailable(stack, sku, { loc_wh_east: 20, loc_wh_eu: 5 })
    const before = await levels(stack, sku)
    const cart = await cartFor(stack, 'c_declined', [{ sku, quantity: 3 }])
    const { order, userErrors } = await checkout(stack, 'c_declined', cart, 'declined-1', 'tok_declined')
    assert.deepEqual(userErrors, [])
    await stack.flushEvents()
    const { body } = await query(stack, ORDER, { id: order!.id }, asStaff)
    const cancelled = body.data!['order']
    assert.equal(cancelled.status, 'CANCELLED')
    assert.match(cancelled.cancelReason, /declined/i)
    assert.deepEqual(cancelled.timeline.map((t: any) => t.type), ['PLACED', 'PAYMENT_DECLINED', 'CANCELLED'])
    assert.deepEqual(cancelled.invoices, [])
    assert.deepEqual(await levels(stack, sku), before, 'no committed or reserved stock is left behind')
  })

  it('authorizes a payment whose provider times out once, exactly once', async () => {
    const cart = await cartFor(stack, 'c_timeout', [{ sku: 'APP-0007-M', quantity: 1 }])
    const { order } = await checkout(stack, 'c_timeout', cart, 'timeout-1', 'tok_timeout')
    await stack.flushEvents()
    const { body } = await query(stack, ORDER, { id: order!.id }, asStaff)
    assert.equal(body.data!['order'].financialStatus, 'AUTHORIZED')
    const { rows } = await stack.test.db.query(
      `select t.status from finance.payment_transactions t join finance.payments p on p.id = t.payment_id where p.order_id = $1 and t.kind = 'AUTHORIZATION'`,
      [order!.id],
    )
    assert.deepEqual(rows, [{ status: 'SUCCESS' }])
  })

  it('never updates or deletes a journal row', async () => {
    await assert.rejects(stack.test.db.query(`update finance.journal_lines set amount = amount + 1`))
    await assert.rejects(stack.test.db.query(`delete from finance.journal_entries`))
  })
})

describe('a crash between the order commit and the publish', () => {
  let database: TestDatabase
  before(async () => {
    database = await openTestDatabase(SUBGRAPHS)
  })
  after(() => database.close())

  it('delivers OrderPlaced after restart, and the order is authorized once', async () => {
    // first life: no bus, so nothing is published — as if the process died right after the commit
    const first = await startStack({ bus: false, database })
    const cart = await cartFor(first, 'c_crash', [{ sku: 'APP-0008-M', quantity: 1 }])
    const { order } = await checkout(first, 'c_crash', cart, 'crash-1')
    await first.close()
    const pending = await database.db.query(`select type from orders.outbox where aggregate_id = $1 and published_at is null`, [order!.id])
    assert.deepEqual(pending.rows, [{ type: 'OrderPlaced' }])

    // second life: the relay finds the unpublished row
    const second = await startStack({ database })
    try {
      await second.flushEvents()
      const { body } = await query(second, ORDER, { id: order!.id }, asStaff)
      assert.equal(body.data!['order'].financialStatus, 'AUTHORIZED')
      const payments = await database.db.query(`select 1 from finance.payments where order_id = $1`, [order!.id])
      assert.equal(payments.rows.length, 1)
      await assertLedgerBalances(database.db)
    } finally {
      await second.close()
    }
  })
})
