import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { taxAmountOf } from '../../platform/money.ts'
import { customer, execute, openSubgraphTestApp, staff, viewer, type SubgraphTestApp } from '../../platform/testing.ts'
import { buildWorld } from '../../seed/world.ts'
import { orders } from './subgraph.ts'

const world = buildWorld()
const CART = `query ($id: ID!) {
  cart(id: $id) {
    id customerId currency countryCode expiresAt
    lines { id quantity variant { sku } unitPrice { minorUnits currency fractionDigits } total { minorUnits currency } }
    subtotal { minorUnits currency } taxTotal { minorUnits currency } total { minorUnits currency fractionDigits }
  }
}`

describe('Query.cart', () => {
  let t: SubgraphTestApp
  let app: FastifyInstance
  before(async () => {
    t = await openSubgraphTestApp(orders)
    app = t.app
  })
  after(() => t.close())

  it('prices a USD cart from catalog prices and adds US sales tax on top, per line', async () => {
    // cart_0002 (c_1002, US): APP-0011-L 1 x 33.99 and APP-0014-L 2 x 25.99 at 8.25%
    const { data, errors } = await execute(app, CART, { id: 'cart_0002' }, customer('c_1002'))
    assert.equal(errors, undefined)
    assert.deepEqual(data?.['cart'], {
      id: 'cart_0002', customerId: 'c_1002', currency: 'USD', countryCode: 'US', expiresAt: '2036-09-28T00:00:00.000Z',
      lines: [
        { id: 'cl_0002_1', quantity: 1, variant: { sku: 'APP-0011-L' }, unitPrice: { minorUnits: '3399', currency: 'USD', fractionDigits: 2 }, total: { minorUnits: '3399', currency: 'USD' } },
        { id: 'cl_0002_2', quantity: 2, variant: { sku: 'APP-0014-L' }, unitPrice: { minorUnits: '2599', currency: 'USD', fractionDigits: 2 }, total: { minorUnits: '5198', currency: 'USD' } },
      ],
      subtotal: { minorUnits: '8597', currency: 'USD' },
      // 280.4175 -> 280 and 428.835 -> 429
      taxTotal: { minorUnits: '709', currency: 'USD' },
      total: { minorUnits: '9306', currency: 'USD', fractionDigits: 2 },
    })
  })

  it('prices a EUR cart whose prices include German VAT: the tax is contained and the total is the subtotal', async () => {
    // cart_0003 (c_1003, DE): 99.95 + 2 x 118.95 + 117.95, VAT 19% included
    const { data } = await execute(app, CART, { id: 'cart_0003' }, customer('c_1003'))
    const cart = data?.['cart']
    assert.deepEqual(cart.lines.map((l: any) => [l.variant.sku, l.quantity, l.unitPrice.minorUnits, l.total.minorUnits]), [
      ['APP-0024-M', 1, '9995', '9995'],
      ['APP-0027-L', 2, '11895', '23790'],
      ['APP-0030-L', 1, '11795', '11795'],
    ])
    assert.deepEqual(cart.subtotal, { minorUnits: '45580', currency: 'EUR' })
    // 1595.84 -> 1596, 3798.4 -> 3798, 1883.24 -> 1883
    assert.deepEqual(cart.taxTotal, { minorUnits: '7277', currency: 'EUR' })
    assert.deepEqual(cart.total, { minorUnits: '45580', currency: 'EUR', fractionDigits: 2 })
  })

  it('agrees with the demo store for every seeded cart', async () => {
    for (const seeded of world.carts) {
      const rate = world.taxRates.find((t) => t.countryCode === seeded.countryCode)
      assert.ok(rate)
      let subtotal = 0n
      let tax = 0n
      for (const line of seeded.lines) {
        const price = world.prices.find((p) => p.sku === line.sku && p.currency === seeded.currency && p.validFrom === null)
        assert.ok(price)
        subtotal += price.amount * BigInt(line.quantity)
        tax += taxAmountOf(price.amount * BigInt(line.quantity), rate.rate, price.taxIncluded)
      }
      const { data } = await execute(app, CART, { id: seeded.id }, staff())
      assert.equal(data?.['cart'].subtotal.minorUnits, String(subtotal), seeded.id)
      assert.equal(data?.['cart'].taxTotal.minorUnits, String(tax), seeded.id)
      assert.equal(data?.['cart'].total.minorUnits, String(seeded.currency === 'USD' ? subtotal + tax : subtotal), seeded.id)
    }
  })

  it("returns null for another customer's cart, exactly like a missing one", async () => {
    const other = await execute(app, CART, { id: 'cart_0002' }, customer('c_1001'))
    const missing = await execute(app, CART, { id: 'cart_9999' }, customer('c_1001'))
    assert.deepEqual(other, { ...missing })
    assert.deepEqual(other.data, { cart: null })
    assert.equal(other.errors, undefined)
  })

  it('returns null to an anonymous viewer', async () => {
    const { data, errors } = await execute(app, CART, { id: 'cart_0001' }, viewer())
    assert.deepEqual(data, { cart: null })
    assert.equal(errors, undefined)
  })

  it("shows staff any customer's cart", async () => {
    const { data } = await execute(app, CART, { id: 'cart_0001' }, staff())
    assert.equal(data?.['cart'].customerId, 'c_1001')
  })
})
