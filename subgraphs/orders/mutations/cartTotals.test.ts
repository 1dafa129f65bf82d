import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { cartTotals } from './cartTotals.ts'
import type { CartLineModel, TaxRateModel } from '../models.ts'

const line = (unitPrice: string, quantity: number, taxIncluded: boolean): CartLineModel => ({
  id: 'cl', cartId: 'cart', sku: 'SKU', quantity, currency: taxIncluded ? 'EUR' : 'USD', unitPrice, taxIncluded,
})
const US: TaxRateModel = { countryCode: 'US', title: 'Sales tax', rate: '0.0825', pricesIncludeTax: false }
const DE: TaxRateModel = { countryCode: 'DE', title: 'VAT', rate: '0.19', pricesIncludeTax: true }

describe('cartTotals', () => {
  it('adds tax on top of prices that exclude it, rounding each line half away from zero', () => {
    // 3399 x 0.0825 = 280.4175 -> 280; 5198 x 0.0825 = 428.835 -> 429
    assert.deepEqual(cartTotals([line('3399', 1, false), line('2599', 2, false)], US), { subtotal: 8597n, taxTotal: 709n, total: 9306n })
  })

  it('takes tax out of prices that include it and charges the subtotal', () => {
    // 9995 - 9995 / 1.19 = 1595.84 -> 1596; 23790 -> 3798.4 -> 3798
    assert.deepEqual(cartTotals([line('9995', 1, true), line('11895', 2, true)], DE), { subtotal: 33785n, taxTotal: 5394n, total: 33785n })
  })

  it('charges no tax without a rate, and nothing for no lines', () => {
    assert.deepEqual(cartTotals([line('1000', 3, false)], null), { subtotal: 3000n, taxTotal: 0n, total: 3000n })
    assert.deepEqual(cartTotals([], US), { subtotal: 0n, taxTotal: 0n, total: 0n })
  })
})
