import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Database } from '../../../platform/db.ts'
import { testDatabaseFor } from '../../../platform/testHooks.ts'
import { openTestDatabase } from '../../../platform/testing.ts'
import { buildWorld } from '../../../seed/world.ts'
import { catalog } from '../subgraph.ts'
import type { PriceModel, Written } from '../models.ts'
import { deletePricesOf, effectivePrices, insertPrices, priceRanges } from './priceStore.ts'

const world = buildWorld()
const listPrice = (variantId: string, currency: string) => world.prices.find((p) => p.id === `price_${variantId}_${currency.toLowerCase()}`)!
const at = (iso: string) => new Date(iso)

/** Channel prices beside the seed's list prices. */
async function insertChannelPrices(db: Database): Promise<void> {
  const price = (id: string, variantId: string, amount: string, extra: Partial<Written<PriceModel>> = {}): Written<PriceModel> => ({
    id, variantId, currency: 'USD', amount, compareAtAmount: null, channelId: null, taxIncluded: false, validFrom: null, validUntil: null, ...extra,
  })
  await insertPrices(db, [
    // var_0003_1: a web-channel price for January 2027 only
    price('t_web_jan', 'var_0003_1', '1000', { channelId: 'ch_web', validFrom: at('2027-01-01T00:00:00Z'), validUntil: at('2027-02-01T00:00:00Z') }),
    // var_0003_2: an open-ended web price
    price('t_web_open', 'var_0003_2', '500', { channelId: 'ch_web' }),
  ])
}

describe('priceStore', () => {
  const db = testDatabaseFor(() => openTestDatabase([catalog]), { setup: insertChannelPrices })

  const effective = async (variantIds: string[], channelId: string | null, instant: string) =>
    Object.fromEntries((await effectivePrices(db, variantIds, { currency: 'USD', channelId, at: at(instant) })).map((p) => [p.variantId, p.id]))

  describe('effectivePrices', () => {
    it("prefers the channel's own price while its window is open", async () => {
      assert.deepEqual(await effective(['var_0003_1', 'var_0003_2'], 'ch_web', '2027-01-15T00:00:00Z'), {
        var_0003_1: 't_web_jan',
        var_0003_2: 't_web_open',
      })
    })

    it('falls back to the default price outside the window, which is half-open', async () => {
      assert.equal((await effective(['var_0003_1'], 'ch_web', '2027-02-01T00:00:00Z'))['var_0003_1'], listPrice('var_0003_1', 'USD').id)
      assert.equal((await effective(['var_0003_1'], 'ch_web', '2026-12-31T23:59:59Z'))['var_0003_1'], listPrice('var_0003_1', 'USD').id)
      assert.equal((await effective(['var_0003_1'], 'ch_web', '2027-01-01T00:00:00Z'))['var_0003_1'], 't_web_jan')
    })

    it('ignores channel prices when no channel is asked for', async () => {
      assert.deepEqual(await effective(['var_0003_2'], null, '2027-01-15T00:00:00Z'), { var_0003_2: listPrice('var_0003_2', 'USD').id })
    })

    it('returns no row for a variant without a price in effect', async () => {
      const eur = await effectivePrices(db, ['var_0003_1', 'var_9999_1'], { currency: 'EUR', channelId: null, at: at('2027-01-01T00:00:00Z') })
      assert.deepEqual(eur.map((r) => r.variantId), ['var_0003_1'])
      assert.deepEqual(await effectivePrices(db, ['var_0003_1'], { currency: 'JPY', channelId: null, at: new Date() }), [])
    })
  })

  describe('priceRanges', () => {
    it("spans each product's effective prices, channel prices included", async () => {
      const listAmounts = (productId: string) =>
        world.variants.filter((v) => v.productId === productId).map((v) => listPrice(v.id, 'USD').amount)
      const span = (productId: string, amounts: bigint[]) => ({
        productId,
        min: amounts.reduce((a, b) => (a < b ? a : b)).toString(),
        max: amounts.reduce((a, b) => (a > b ? a : b)).toString(),
      })
      const ranges = await priceRanges(db, ['prod_0003', 'prod_0004', 'prod_9999'], { currency: 'USD', channelId: 'ch_web', at: at('2027-01-15T00:00:00Z') })
      assert.deepEqual(
        ranges.map((r) => ({ ...r })).sort((a, b) => a.productId.localeCompare(b.productId)),
        [
          // the first two variants of prod_0003 have web prices in January
          span('prod_0003', [1000n, 500n, ...listAmounts('prod_0003').slice(2)]),
          span('prod_0004', listAmounts('prod_0004')),
        ],
      )
    })
  })

  describe('deletePricesOf', () => {
    it('deletes only the named (currency, channel) pairs of the variant', async () => {
      await deletePricesOf(db, 'var_0003_2', [{ currency: 'USD', channelId: 'ch_web' }])
      assert.deepEqual(await effective(['var_0003_2'], 'ch_web', '2027-01-15T00:00:00Z'), { var_0003_2: listPrice('var_0003_2', 'USD').id })
      await deletePricesOf(db, 'var_0003_2', [{ currency: 'USD', channelId: null }])
      assert.deepEqual(await effective(['var_0003_2', 'var_0003_3'], null, '2026-12-01T00:00:00Z'), { var_0003_3: listPrice('var_0003_3', 'USD').id })
      assert.equal((await effectivePrices(db, ['var_0003_2'], { currency: 'EUR', channelId: null, at: new Date() }))[0]?.id, listPrice('var_0003_2', 'EUR').id)
    })
  })
})
