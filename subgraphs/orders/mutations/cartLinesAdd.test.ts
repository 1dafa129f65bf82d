import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { requestHash } from '../../../platform/idempotency.ts'
import { customer, execute, openSubgraphTestApp, staff, viewer, type SubgraphTestApp, type TestDatabase } from '../../../platform/testing.ts'
import type { Viewer } from '../../../platform/viewer.ts'
import { orders } from '../subgraph.ts'

const ADD = `mutation ($input: CartLinesAddInput!) {
  cartLinesAdd(input: $input) {
    cart { id customerId currency countryCode expiresAt lines { id quantity variant { sku } } subtotal { minorUnits } taxTotal { minorUnits } total { minorUnits currency } }
    userErrors { code field message }
  }
}`
type Payload = { cart: Record<string, any> | null; userErrors: { code: string; field: string[]; message: string }[] }

describe('Mutation.cartLinesAdd', () => {
  let t: SubgraphTestApp
  let test: TestDatabase
  let app: FastifyInstance
  let keys = 0
  before(async () => {
    t = await openSubgraphTestApp(orders)
    test = t.test
    app = t.app
    // a variant the catalog prices in USD only, and a cart of c_1001 that expired
    await test.db.query(`insert into orders.catalog_prices (sku, currency, variant_title, product_title, amount, tax_included)
      values ('TEST-USD-ONLY', 'USD', 'One size', 'Test Product', 1000, false)`)
    await test.db.query(`insert into orders.carts (id, customer_id, currency, country_code, created_at, expires_at)
      values ('cart_expired', 'c_1001', 'USD', 'US', now() - interval '40 days', now() - interval '10 days')`)
  })
  after(() => t.close())

  const add = async (input: Record<string, unknown>, who: Viewer = customer('c_1001')): Promise<Payload> => {
    const { data, errors } = await execute(app, ADD, { input: { idempotencyKey: `key-${++keys}`, ...input } }, who)
    assert.equal(errors, undefined, JSON.stringify(errors))
    return data?.['cartLinesAdd'] as Payload
  }
  const cartCount = async () => Number((await test.db.query<{ n: string }>(`select count(*) as n from orders.carts`)).rows[0]?.n)
  const lineCount = async () => Number((await test.db.query<{ n: string }>(`select count(*) as n from orders.cart_lines`)).rows[0]?.n)
  /** Asserts one userError with this code and field, and that nothing was written. */
  const refuses = async (input: Record<string, unknown>, code: string, field: string[], who?: Viewer) => {
    const [carts, lines] = [await cartCount(), await lineCount()]
    const payload = await add(input, who)
    assert.equal(payload.cart, null)
    assert.deepEqual(payload.userErrors.map((e) => [e.code, e.field]), [[code, field]], JSON.stringify(payload.userErrors))
    assert.ok(payload.userErrors[0]?.message)
    assert.deepEqual([await cartCount(), await lineCount()], [carts, lines])
  }

  it('creates a USD cart owned by the viewer, taxed in the US by default', async () => {
    const sent = Date.now()
    const { cart, userErrors } = await add({ currency: 'USD', lines: [{ sku: 'APP-0001-S', quantity: 2 }] }, customer('c_2001'))
    const answered = Date.now()
    assert.deepEqual(userErrors, [])
    assert.match(cart?.['id'], /^cart_/)
    assert.deepEqual({ ...cart, id: undefined, expiresAt: undefined, lines: undefined }, {
      id: undefined, customerId: 'c_2001', currency: 'USD', countryCode: 'US', expiresAt: undefined, lines: undefined,
      // 2 x 48.99 = 97.98, tax 8.08335 -> 8.08
      subtotal: { minorUnits: '9798' }, taxTotal: { minorUnits: '808' }, total: { minorUnits: '10606', currency: 'USD' },
    })
    assert.deepEqual(cart?.['lines'].map((l: any) => [l.variant.sku, l.quantity]), [['APP-0001-S', 2]])
    // 30 days after the cart was created, which happened while the request ran
    const createdAt = Date.parse(cart?.['expiresAt']) - 30 * 86_400_000
    assert.ok(sent <= createdAt && createdAt <= answered, `expires at ${cart?.['expiresAt']}`)
  })

  it('creates a EUR cart taxed in Germany by default, or in the country given', async () => {
    const german = await add({ currency: 'EUR', lines: [{ sku: 'APP-0024-M', quantity: 1 }] }, customer('c_2002'))
    assert.deepEqual([german.cart?.['countryCode'], german.cart?.['taxTotal'], german.cart?.['total']], ['DE', { minorUnits: '1596' }, { minorUnits: '9995', currency: 'EUR' }])
    const french = await add({ currency: 'EUR', countryCode: 'FR', lines: [{ sku: 'APP-0024-M', quantity: 1 }] }, customer('c_2002'))
    // 99.95 - 99.95 / 1.20 = 16.658 -> 16.66
    assert.deepEqual([french.cart?.['countryCode'], french.cart?.['taxTotal']], ['FR', { minorUnits: '1666' }])
  })

  it("adds new lines to the viewer's existing cart and merges a sku already in it", async () => {
    // cart_0001 holds 1 x APP-0001-S as cl_0001_1
    const { cart, userErrors } = await add({ cartId: 'cart_0001', currency: 'USD', lines: [{ sku: 'APP-0001-S', quantity: 2 }, { sku: 'HOM-0120-SLATE', quantity: 1 }, { sku: 'HOM-0120-SLATE', quantity: 2 }] })
    assert.deepEqual(userErrors, [])
    assert.equal(cart?.['id'], 'cart_0001')
    assert.deepEqual(cart?.['lines'].map((l: any) => [l.variant.sku, l.quantity]), [['APP-0001-S', 3], ['HOM-0120-SLATE', 3]])
    assert.equal(cart?.['lines'][0].id, 'cl_0001_1')
  })

  it('shows each addition its own state of the cart when one request adds twice', async () => {
    const { data, errors } = await execute(app, `mutation {
      a: cartLinesAdd(input: { idempotencyKey: "twice-a", cartId: "cart_0006", currency: "EUR", lines: [{ sku: "FTW-0059-40", quantity: 1 }] }) { cart { lines { quantity } } }
      b: cartLinesAdd(input: { idempotencyKey: "twice-b", cartId: "cart_0006", currency: "EUR", lines: [{ sku: "FTW-0059-40", quantity: 1 }] }) { cart { lines { quantity } } }
    }`, {}, customer('c_1006'))
    assert.equal(errors, undefined)
    assert.deepEqual([data?.['a'].cart.lines[0], data?.['b'].cart.lines[0]], [{ quantity: 2 }, { quantity: 3 }])
  })

  it('moves an existing cart to the country given, which changes its tax', async () => {
    const before = await add({ cartId: 'cart_0003', currency: 'EUR', lines: [{ sku: 'APP-0024-M', quantity: 1 }] }, customer('c_1003'))
    const moved = await add({ cartId: 'cart_0003', currency: 'EUR', countryCode: 'FR', lines: [{ sku: 'APP-0024-M', quantity: 1 }] }, customer('c_1003'))
    assert.equal(before.cart?.['countryCode'], 'DE')
    assert.equal(moved.cart?.['countryCode'], 'FR')
    assert.notEqual(moved.cart?.['taxTotal'].minorUnits, before.cart?.['taxTotal'].minorUnits)
  })

  it('refuses an anonymous viewer with UNAUTHENTICATED', async () => {
    const { data, errors } = await execute(app, ADD, { input: { idempotencyKey: 'anon', currency: 'USD', lines: [{ sku: 'APP-0001-S', quantity: 1 }] } }, viewer())
    assert.equal(errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED')
    assert.equal(data, null)
  })

  it("reports another customer's cart and an unknown cart as NOT_FOUND on cartId", async () => {
    await refuses({ cartId: 'cart_0002', currency: 'USD', lines: [{ sku: 'APP-0001-S', quantity: 1 }] }, 'NOT_FOUND', ['input', 'cartId'])
    await refuses({ cartId: 'cart_nope', currency: 'USD', lines: [{ sku: 'APP-0001-S', quantity: 1 }] }, 'NOT_FOUND', ['input', 'cartId'])
    await refuses({ cartId: 'cart_0001', currency: 'USD', lines: [{ sku: 'APP-0001-S', quantity: 1 }] }, 'NOT_FOUND', ['input', 'cartId'], staff())
  })

  it('refuses a currency other than the cart’s, and a currency that is not enabled, as INVALID on currency', async () => {
    await refuses({ cartId: 'cart_0001', currency: 'EUR', lines: [{ sku: 'APP-0001-S', quantity: 1 }] }, 'INVALID', ['input', 'currency'])
    await refuses({ currency: 'GBP', countryCode: 'GB', lines: [{ sku: 'APP-0001-S', quantity: 1 }] }, 'INVALID', ['input', 'currency'])
  })

  it('reports an unknown sku and a sku without a price in the currency as NOT_FOUND on that line', async () => {
    await refuses({ currency: 'USD', lines: [{ sku: 'APP-0001-S', quantity: 1 }, { sku: 'NOPE-1', quantity: 1 }] }, 'NOT_FOUND', ['input', 'lines', '1', 'sku'])
    await refuses({ currency: 'EUR', lines: [{ sku: 'TEST-USD-ONLY', quantity: 1 }] }, 'NOT_FOUND', ['input', 'lines', '0', 'sku'])
    assert.deepEqual((await add({ currency: 'USD', lines: [{ sku: 'TEST-USD-ONLY', quantity: 1 }] }, customer('c_2003'))).userErrors, [])
  })

  it('refuses quantities outside 1..999 as INVALID on that line', async () => {
    for (const quantity of [0, -1, 1000]) {
      await refuses({ currency: 'USD', lines: [{ sku: 'APP-0001-S', quantity: 1 }, { sku: 'APP-0002-S', quantity }] }, 'INVALID', ['input', 'lines', '1', 'quantity'])
    }
    await refuses({ currency: 'USD', lines: [] }, 'INVALID', ['input', 'lines'])
  })

  it('refuses a merge that would hold more than 999 of a sku, writing nothing', async () => {
    const created = await add({ currency: 'USD', lines: [{ sku: 'APP-0002-S', quantity: 998 }] }, customer('c_2004'))
    const cartId = created.cart?.['id']
    await refuses({ cartId, currency: 'USD', lines: [{ sku: 'APP-0003-S', quantity: 1 }, { sku: 'APP-0002-S', quantity: 2 }] }, 'INVALID', ['input', 'lines', '1', 'quantity'], customer('c_2004'))
    await refuses({ currency: 'USD', lines: [{ sku: 'APP-0002-S', quantity: 500 }, { sku: 'APP-0002-S', quantity: 500 }] }, 'INVALID', ['input', 'lines', '1', 'quantity'], customer('c_2004'))
    const { data } = await execute(app, `query ($id: ID!) { cart(id: $id) { lines { quantity } } }`, { id: cartId }, customer('c_2004'))
    assert.deepEqual(data?.['cart'].lines, [{ quantity: 998 }])
  })

  it('refuses a country without a tax rate as INVALID on countryCode', async () => {
    await refuses({ currency: 'USD', countryCode: 'ZZ', lines: [{ sku: 'APP-0001-S', quantity: 1 }] }, 'INVALID', ['input', 'countryCode'])
    await refuses({ cartId: 'cart_0001', currency: 'USD', countryCode: 'XX', lines: [{ sku: 'APP-0001-S', quantity: 1 }] }, 'INVALID', ['input', 'countryCode'])
  })

  it('refuses an expired cart with CART_EXPIRED', async () => {
    await refuses({ cartId: 'cart_expired', currency: 'USD', lines: [{ sku: 'APP-0001-S', quantity: 1 }] }, 'CART_EXPIRED', ['input', 'cartId'])
  })

  it('replays a repeated request: the lines are added once and the same cart comes back', async () => {
    const input = { idempotencyKey: 'replay-1', cartId: 'cart_0002', currency: 'USD', lines: [{ sku: 'APP-0011-L', quantity: 4 }] }
    const first = await execute(app, ADD, { input }, customer('c_1002'))
    const again = await execute(app, ADD, { input: { ...input, lines: [{ quantity: 4, sku: 'APP-0011-L' }] } }, customer('c_1002'))
    assert.deepEqual(again.data, first.data)
    assert.deepEqual(first.data?.['cartLinesAdd'].cart.lines.map((l: any) => l.quantity), [5, 2])
  })

  it('refuses a key reused for another request with IDEMPOTENCY_KEY_REUSED, per viewer', async () => {
    const input = { idempotencyKey: 'reuse-1', cartId: 'cart_0002', currency: 'USD', lines: [{ sku: 'APP-0011-L', quantity: 1 }] }
    await execute(app, ADD, { input }, customer('c_1002'))
    const reused = await execute(app, ADD, { input: { ...input, lines: [{ sku: 'APP-0011-L', quantity: 2 }] } }, customer('c_1002'))
    assert.deepEqual(reused.data?.['cartLinesAdd'].userErrors.map((e: any) => [e.code, e.field]), [['IDEMPOTENCY_KEY_REUSED', ['input', 'idempotencyKey']]])
    assert.equal(reused.data?.['cartLinesAdd'].cart, null)
    // the same key is someone else's own key
    const other = await execute(app, ADD, { input: { ...input, cartId: null } }, customer('c_2005'))
    assert.deepEqual(other.data?.['cartLinesAdd'].userErrors, [])
  })

  it('lets a key whose request was refused be used again once the input is fixed', async () => {
    const refused = await execute(app, ADD, { input: { idempotencyKey: 'fix-1', currency: 'USD', lines: [{ sku: 'APP-0001-S', quantity: 0 }] } }, customer('c_2006'))
    assert.equal(refused.data?.['cartLinesAdd'].userErrors[0].code, 'INVALID')
    const fixed = await execute(app, ADD, { input: { idempotencyKey: 'fix-1', currency: 'USD', lines: [{ sku: 'APP-0001-S', quantity: 1 }] } }, customer('c_2006'))
    assert.deepEqual(fixed.data?.['cartLinesAdd'].userErrors, [])
  })

  it('answers IDEMPOTENCY_CONCURRENT_REQUEST while the first request with the key is still running', async () => {
    const request = { cartId: 'cart_0002', currency: 'USD', countryCode: null, lines: [{ sku: 'APP-0011-L', quantity: 1 }] }
    // the claim the first request holds until it commits (PGlite runs one transaction at a time)
    await test.db.query(
      `insert into orders.idempotency_keys (scope, key, operation, request_hash, state, locked_until)
       values ('c_1002', 'slow-1', 'cartLinesAdd', $1, 'in_flight', now() + interval '1 minute')`,
      [requestHash('cartLinesAdd', request)],
    )
    const { data } = await execute(app, ADD, { input: { idempotencyKey: 'slow-1', ...request } }, customer('c_1002'))
    assert.deepEqual(data?.['cartLinesAdd'].userErrors.map((e: any) => [e.code, e.field]), [['IDEMPOTENCY_CONCURRENT_REQUEST', ['input', 'idempotencyKey']]])
  })

  it('refuses to add lines to a cart that was checked out, writing nothing', async () => {
    await test.db.query(`insert into orders.carts (id, customer_id, currency, country_code, checked_out_at) values ('cart_done', 'c_1001', 'USD', 'US', now())`)
    await refuses({ cartId: 'cart_done', currency: 'USD', lines: [{ sku: 'APP-0001-S', quantity: 1 }] }, 'INVALID', ['input', 'cartId'])
  })
})
