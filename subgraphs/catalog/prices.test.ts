import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { customer, execute, openSubgraphTestApp, staff, type SubgraphTestApp } from '../../platform/testing.ts'
import { buildWorld, type WorldPrice } from '../../seed/world.ts'
import { catalog } from './subgraph.ts'

const world = buildWorld()
const listPrice = (sku: string, currency: string) =>
  world.prices.find((p) => p.sku === sku && p.currency === currency && p.validFrom === null) as WorldPrice
const moneyOf = (amount: bigint, currency: string) => ({ minorUnits: amount.toString(), currency, fractionDigits: 2 })

const PRICE = `query ($sku: String!, $currency: CurrencyCode!, $channelId: ID, $at: DateTime) {
  variant(sku: $sku) {
    price(currency: $currency, channelId: $channelId, at: $at) {
      id amount { minorUnits currency fractionDigits } compareAtAmount { minorUnits currency fractionDigits }
      channelId taxIncluded validFrom validUntil
    }
  }
}`

describe('prices', () => {
  let t: SubgraphTestApp
  before(async () => {
    t = await openSubgraphTestApp(catalog)
  })
  after(() => t.close())

  const priceOf = async (variables: Record<string, unknown>) => {
    const { data, errors } = await execute(t.app, PRICE, variables)
    assert.equal(errors, undefined, JSON.stringify(errors))
    return data?.['variant'].price
  }

  describe('ProductVariant.price', () => {
    it('returns the list price in effect now', async () => {
      const sku = 'APP-0010-S'
      const usd = listPrice(sku, 'USD')
      assert.deepEqual(await priceOf({ sku, currency: 'USD' }), {
        id: usd.id,
        amount: moneyOf(usd.amount, 'USD'),
        compareAtAmount: null,
        channelId: null,
        taxIncluded: false,
        validFrom: null,
        validUntil: null,
      })
    })

    it('returns the EUR price with tax included and the compare-at amount of a sale', async () => {
      const sku = world.variants.find((v) => v.productId === 'prod_0009')!.sku
      const eur = listPrice(sku, 'EUR')
      const price = await priceOf({ sku, currency: 'EUR' })
      assert.deepEqual(price.amount, moneyOf(eur.amount, 'EUR'))
      assert.deepEqual(price.compareAtAmount, moneyOf(eur.compareAtAmount!, 'EUR'))
      assert.equal(price.taxIncluded, true)
    })

    it('returns the scheduled price once it starts, and the list price just before', async () => {
      const sku = 'APP-0010-S'
      const next = world.prices.find((p) => p.sku === sku && p.validFrom !== null)!
      const starts = next.validFrom!.toISOString()
      const atStart = await priceOf({ sku, currency: 'USD', at: starts })
      assert.equal(atStart.id, next.id)
      assert.deepEqual(atStart.amount, moneyOf(next.amount, 'USD'))
      assert.equal(atStart.validFrom, starts)
      const justBefore = await priceOf({ sku, currency: 'USD', at: new Date(next.validFrom!.getTime() - 1).toISOString() })
      assert.equal(justBefore.id, listPrice(sku, 'USD').id)
    })

    it('falls back to the default price for a channel without prices of its own', async () => {
      const sku = 'APP-0001-S'
      assert.equal((await priceOf({ sku, currency: 'USD', channelId: 'ch_pos' })).id, listPrice(sku, 'USD').id)
    })

    it('refuses a currency that is not enabled with BAD_USER_INPUT', async () => {
      const { data, errors } = await execute(t.app, PRICE, { sku: 'APP-0001-S', currency: 'GBP' })
      assert.equal(data?.['variant'].price, null)
      assert.equal(errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
      assert.deepEqual(errors?.[0]?.path, ['variant', 'price'])
    })

    it('refuses a currency code that is not ISO 4217 shaped', async () => {
      const { errors } = await execute(t.app, PRICE, { sku: 'APP-0001-S', currency: 'usd' })
      assert.ok(errors?.length)
      assert.match(errors?.[0]?.message ?? '', /CurrencyCode/)
    })
  })

  describe('Product.priceRange', () => {
    const RANGE = `query ($id: ID!, $currency: CurrencyCode!, $channelId: ID) {
      product(id: $id) { priceRange(currency: $currency, channelId: $channelId) { min { minorUnits currency fractionDigits } max { minorUnits currency } } }
    }`

    it('spans the lowest and highest variant price of the currency', async () => {
      for (const currency of ['USD', 'EUR']) {
        const amounts = world.variants.filter((v) => v.productId === 'prod_0001').map((v) => listPrice(v.sku, currency).amount)
        const min = amounts.reduce((a, b) => (a < b ? a : b))
        const max = amounts.reduce((a, b) => (a > b ? a : b))
        assert.ok(min < max, 'the XL variant carries a surcharge')
        const { data } = await execute(t.app, RANGE, { id: 'prod_0001', currency })
        assert.deepEqual(data?.['product'].priceRange, {
          min: moneyOf(min, currency),
          max: { minorUnits: max.toString(), currency },
        })
      }
    })

    it('refuses a currency that is not enabled', async () => {
      const { errors } = await execute(t.app, RANGE, { id: 'prod_0001', currency: 'JPY' })
      assert.equal(errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
    })
  })

  describe('Price entity visibility', () => {
    const PRICE_ENTITY = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Price { id } } }`

    it("hides a draft's prices from everyone but staff", async () => {
      const id = listPrice('APP-0017-S', 'USD').id
      const representations = [{ __typename: 'Price', id }]
      assert.deepEqual((await execute(t.app, PRICE_ENTITY, { representations }, customer('c_1001'))).data?.['_entities'], [null])
      assert.deepEqual((await execute(t.app, PRICE_ENTITY, { representations }, staff())).data?.['_entities'], [{ id }])
    })
  })
})
