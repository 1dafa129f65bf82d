import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { customer, execute, openSubgraphTestApp, viewer, type SubgraphTestApp, type TestDatabase } from '../../../platform/testing.ts'
import type { Viewer } from '../../../platform/viewer.ts'
import { orders } from '../subgraph.ts'

const CHECKOUT = `mutation ($input: CheckoutCompleteInput!) {
  checkoutComplete(input: $input) { order { id } userErrors { code field message } }
}`
type Payload = { order: { id: string } | null; userErrors: { code: string; field: string[]; message: string }[] }

// Every refusal here happens before inventory is called: nothing listens at this address, so a
// call would fail the test with SUBGRAPH_UNAVAILABLE instead of the expected userError.
const NOWHERE = 'http://127.0.0.1:9/graphql'

describe('Mutation.checkoutComplete: refusals before anything is reserved', () => {
  let t: SubgraphTestApp
  let test: TestDatabase
  let app: FastifyInstance
  let keys = 0
  before(async () => {
    t = await openSubgraphTestApp(orders, { deps: { subgraphUrl: () => NOWHERE } })
    test = t.test
    app = t.app
    await test.db.query(`insert into orders.carts (id, customer_id, currency, country_code) values ('cart_empty', 'c_1001', 'USD', 'US')`)
    await test.db.query(`insert into orders.carts (id, customer_id, currency, country_code, created_at, expires_at)
      values ('cart_expired', 'c_1004', 'USD', 'US', now() - interval '40 days', now() - interval '10 days')`)
    await test.db.query(`insert into orders.cart_lines (id, cart_id, sku, quantity) values ('cl_expired', 'cart_expired', 'APP-0001-S', 1)`)
  })
  after(() => t.close())

  const totalOf = async (cartId: string, who: Viewer) => {
    const { data } = await execute(app, `query ($id: ID!) { cart(id: $id) { total { minorUnits currency } } }`, { id: cartId }, who)
    return data?.['cart'].total as { minorUnits: string; currency: string }
  }
  const checkout = async (input: Record<string, unknown>, who: Viewer) => {
    const response = await execute(app, CHECKOUT, { input: { idempotencyKey: `key-${++keys}`, paymentMethodToken: 'tok_visa', ...input } }, who)
    return { ...response, payload: response.data?.['checkoutComplete'] as Payload | undefined }
  }
  const written = async () => {
    const { rows } = await test.db.query<Record<string, string>>(`select
      (select count(*) from orders.orders) as orders,
      (select count(*) from orders.carts where checked_out_at is not null) as checked_out,
      (select count(*) from orders.idempotency_keys) as keys`)
    return { ...rows[0], outbox: String((await t.outbox()).length) }
  }
  /** Asserts exactly these [code, field] userErrors, a message for each, and that nothing was written. */
  const refuses = async (input: Record<string, unknown>, who: Viewer, expected: [string, string[]][]) => {
    const before = await written()
    const { payload, errors } = await checkout(input, who)
    assert.equal(errors, undefined, JSON.stringify(errors))
    assert.equal(payload?.order, null)
    assert.deepEqual(payload?.userErrors.map((e) => [e.code, e.field]), expected, JSON.stringify(payload?.userErrors))
    for (const error of payload?.userErrors ?? []) assert.ok(error.message)
    assert.deepEqual(await written(), before)
    assert.deepEqual(before, { orders: '80', outbox: '0', checked_out: '0', keys: '0' })
    return payload as Payload
  }

  it('refuses an anonymous viewer with UNAUTHENTICATED', async () => {
    const { errors, data } = await checkout({ cartId: 'cart_0001', expectedTotal: { minorUnits: '1', currency: 'USD' } }, viewer())
    assert.equal(errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED')
    assert.equal(data, null)
  })

  it("answers NOT_FOUND for an unknown cart and for someone else's cart alike", async () => {
    const total = await totalOf('cart_0001', customer('c_1001'))
    await refuses({ cartId: 'cart_nope', expectedTotal: total }, customer('c_1001'), [['NOT_FOUND', ['input', 'cartId']]])
    const foreign = await refuses({ cartId: 'cart_0001', expectedTotal: total }, customer('c_1002'), [['NOT_FOUND', ['input', 'cartId']]])
    assert.equal(foreign.userErrors[0]?.message, 'Cart not found')
  })

  it('refuses an empty cart', async () => {
    await refuses({ cartId: 'cart_empty', expectedTotal: { minorUnits: '0', currency: 'USD' } }, customer('c_1001'), [['INVALID', ['input', 'cartId']]])
  })

  it('refuses an expired cart with CART_EXPIRED', async () => {
    const total = await totalOf('cart_expired', customer('c_1004'))
    await refuses({ cartId: 'cart_expired', expectedTotal: total }, customer('c_1004'), [['CART_EXPIRED', ['input', 'cartId']]])
  })

  it('refuses an expected total in another currency than the cart', async () => {
    const total = await totalOf('cart_0001', customer('c_1001'))
    await refuses({ cartId: 'cart_0001', expectedTotal: { ...total, currency: 'EUR' } }, customer('c_1001'), [['INVALID', ['input', 'expectedTotal', 'currency']]])
  })

  it('refuses a stale expected total with TOTAL_CHANGED, naming the current total', async () => {
    const total = await totalOf('cart_0001', customer('c_1001'))
    const stale = String(BigInt(total.minorUnits) - 100n)
    const payload = await refuses({ cartId: 'cart_0001', expectedTotal: { ...total, minorUnits: stale } }, customer('c_1001'), [
      ['TOTAL_CHANGED', ['input', 'expectedTotal', 'minorUnits']],
    ])
    assert.match(payload.userErrors[0]?.message ?? '', new RegExp(`minorUnits ${total.minorUnits}\\b`))
  })

  it('refuses a malformed payment method token with PAYMENT_DECLINED', async () => {
    const total = await totalOf('cart_0001', customer('c_1001'))
    for (const token of ['tok', 'card_4242', 'tok_has space', `tok_${'x'.repeat(65)}`]) {
      await refuses({ cartId: 'cart_0001', expectedTotal: total, paymentMethodToken: token }, customer('c_1001'), [
        ['PAYMENT_DECLINED', ['input', 'paymentMethodToken']],
      ])
    }
  })

  it('reports every problem of a cart at once', async () => {
    await refuses({ cartId: 'cart_expired', expectedTotal: { minorUnits: '1', currency: 'EUR' }, paymentMethodToken: 'bad' }, customer('c_1004'), [
      ['CART_EXPIRED', ['input', 'cartId']],
      ['INVALID', ['input', 'expectedTotal', 'currency']],
      ['PAYMENT_DECLINED', ['input', 'paymentMethodToken']],
    ])
  })

  it('refuses a cart with a line whose price disappeared, naming the sku', async () => {
    const total = await totalOf('cart_0004', customer('c_1004'))
    const { rows } = await test.db.query<{ sku: string }>(`select sku from orders.cart_lines where cart_id = 'cart_0004'`)
    const sku = rows[0]?.sku as string
    await test.db.query(`update orders.catalog_prices set currency = 'GBP' where sku = $1 and currency = 'USD'`, [sku])
    try {
      const payload = await refuses({ cartId: 'cart_0004', expectedTotal: total }, customer('c_1004'), [['INVALID', ['input', 'cartId']]])
      assert.match(payload.userErrors[0]?.message ?? '', new RegExp(sku))
    } finally {
      await test.db.query(`update orders.catalog_prices set currency = 'USD' where sku = $1 and currency = 'GBP'`, [sku])
    }
  })

  it('refuses a cart that was already checked out', async () => {
    await test.db.query(`update orders.carts set checked_out_at = now() where id = 'cart_0010'`)
    try {
      const total = await totalOf('cart_0010', customer('c_1010'))
      const { payload } = await checkout({ cartId: 'cart_0010', expectedTotal: total }, customer('c_1010'))
      assert.deepEqual(payload?.userErrors.map((e) => [e.code, e.field, e.message]), [['INVALID', ['input', 'cartId'], 'This cart has already been checked out']])
    } finally {
      await test.db.query(`update orders.carts set checked_out_at = null where id = 'cart_0010'`)
    }
  })

  it('answers SUBGRAPH_UNAVAILABLE when inventory does not answer, and frees the key for a retry', async () => {
    const total = await totalOf('cart_0001', customer('c_1001'))
    const input = { idempotencyKey: 'unreachable', cartId: 'cart_0001', paymentMethodToken: 'tok_visa', expectedTotal: total }
    for (let attempt = 0; attempt < 2; attempt++) {
      const { data, errors } = await execute(app, CHECKOUT, { input }, customer('c_1001'))
      assert.equal(errors?.[0]?.extensions?.['code'], 'SUBGRAPH_UNAVAILABLE')
      assert.equal(errors?.[0]?.message, 'inventory did not answer; retry with the same idempotency key')
      assert.equal(data, null)
    }
    assert.deepEqual(await written(), { orders: '80', outbox: '0', checked_out: '0', keys: '0' })
  })
})
