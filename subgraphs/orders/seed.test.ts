import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { openTestDatabase, type TestDatabase } from '../../platform/testing.ts'
import { buildWorld } from '../../seed/world.ts'
import { orders } from './subgraph.ts'
import { seedOrders } from './seed.ts'

const world = buildWorld()

describe('seedOrders and the orders schema', () => {
  let test: TestDatabase
  before(async () => {
    test = await openTestDatabase([orders])
  })
  after(() => test.close())

  const counts = async () => {
    const { rows } = await test.db.query<Record<string, string>>(`select
      (select count(*) from orders.tax_rates) as tax_rates, (select count(*) from orders.catalog_prices) as catalog_prices,
      (select count(*) from orders.carts) as carts, (select count(*) from orders.cart_lines) as cart_lines,
      (select count(*) from orders.orders) as orders, (select count(*) from orders.line_items) as line_items,
      (select count(*) from orders.fulfillment_orders) as fulfillment_orders, (select count(*) from orders.fulfillment_order_lines) as fulfillment_order_lines,
      (select count(*) from orders.fulfillments) as fulfillments, (select count(*) from orders.fulfillment_lines) as fulfillment_lines`)
    return rows[0]
  }
  const fulfilled = world.orders.filter((o) => o.fulfillmentStatus === 'FULFILLED')
  const expected = {
    tax_rates: String(world.taxRates.length),
    catalog_prices: String(world.prices.filter((p) => p.validFrom === null).length),
    carts: String(world.carts.length),
    cart_lines: String(world.carts.flatMap((c) => c.lines).length),
    orders: String(world.orders.length),
    line_items: String(world.orders.flatMap((o) => o.lineItems).length),
    fulfillment_orders: String(world.orders.length),
    fulfillment_order_lines: String(world.orders.flatMap((o) => o.lineItems).length),
    fulfillments: String(fulfilled.length),
    fulfillment_lines: String(fulfilled.flatMap((o) => o.lineItems).length),
  }

  it("writes orders' part of the demo store", async () => {
    assert.deepEqual(await counts(), expected)
    const { rows } = await test.db.query(`select sku, currency, variant_title, product_title, amount, tax_included from orders.catalog_prices where sku = 'APP-0001-S' order by currency`)
    assert.deepEqual(rows, [
      { sku: 'APP-0001-S', currency: 'EUR', variant_title: 'S', product_title: world.products[0]?.title, amount: '5395', tax_included: true },
      { sku: 'APP-0001-S', currency: 'USD', variant_title: 'S', product_title: world.products[0]?.title, amount: '4899', tax_included: false },
    ])
  })

  it('does nothing without reset when the store has data', async () => {
    await test.db.query(`insert into orders.carts (id, customer_id, currency, country_code) values ('cart_extra', 'c_1001', 'USD', 'US')`)
    await seedOrders(test.db, { reset: false })
    assert.equal((await counts())?.['carts'], String(world.carts.length + 1))
  })

  it('resets to exactly the demo store, immutable line items included', async () => {
    await seedOrders(test.db, { reset: true })
    assert.deepEqual(await counts(), expected)
  })

  it('numbers new orders after the demo store', async () => {
    const { rows } = await test.db.query<{ next: string }>(`select nextval('orders.order_numbers') as next`)
    assert.equal(rows[0]?.next, String(1000 + world.orders.length + 1))
  })

  it('refuses to change or delete a line item snapshot', async () => {
    await assert.rejects(test.db.query(`update orders.line_items set unit_price = 1 where id = 'li_0001_1'`), /immutable/)
    await assert.rejects(test.db.query(`delete from orders.line_items where id = 'li_0001_1'`), /immutable/)
  })

  it('refuses cart line quantities outside 1..999 and a second line for one sku', async () => {
    await assert.rejects(test.db.query(`update orders.cart_lines set quantity = 1000 where id = 'cl_0001_1'`))
    await assert.rejects(test.db.query(`insert into orders.cart_lines (id, cart_id, sku, quantity) select 'cl_dup', cart_id, sku, 1 from orders.cart_lines where id = 'cl_0001_1'`))
  })
})
