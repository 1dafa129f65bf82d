import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { PriceInput } from '../generated/resolvers.ts'
import { priceInputErrors } from './priceInputErrors.ts'

const price = (overrides: Partial<PriceInput> = {}): PriceInput => ({ amount: { minorUnits: '1000', currency: 'USD' }, taxIncluded: false, ...overrides })
const at = (day: string) => new Date(`${day}T00:00:00Z`)
const codes = (prices: PriceInput[]) => priceInputErrors(prices).map((e) => `${e.code} ${e.field?.join('.')}`)

describe('priceInputErrors', () => {
  it('accepts windows that touch: one ends exactly when the next starts', () => {
    assert.deepEqual(codes([price({ validUntil: at('2027-01-01') }), price({ validFrom: at('2027-01-01') })]), [])
  })

  it('finds an open-ended window overlapping a later one', () => {
    assert.deepEqual(codes([price(), price({ validFrom: at('2030-01-01') })]), ['OVERLAPPING_VALIDITY input.prices.1.validFrom'])
  })

  it('compares only prices of the same currency and channel', () => {
    assert.deepEqual(
      codes([price(), price({ channelId: 'ch_pos' }), price({ amount: { minorUnits: '900', currency: 'EUR' } })]),
      [],
    )
    assert.deepEqual(codes([price({ channelId: 'ch_pos' }), price({ channelId: 'ch_pos' })]), ['OVERLAPPING_VALIDITY input.prices.1.validFrom'])
  })

  it('reports each later price that overlaps an earlier one once', () => {
    assert.deepEqual(codes([price(), price(), price()]), [
      'OVERLAPPING_VALIDITY input.prices.1.validFrom',
      'OVERLAPPING_VALIDITY input.prices.2.validFrom',
    ])
  })

  it('accepts a zero amount and a compare-at amount equal to it', () => {
    assert.deepEqual(codes([price({ amount: { minorUnits: '0', currency: 'EUR' }, compareAtAmount: { minorUnits: '0', currency: 'EUR' } })]), [])
  })

  it('compares amounts beyond the safe integer range exactly', () => {
    const amount = { minorUnits: '9007199254740993', currency: 'USD' }
    assert.deepEqual(codes([price({ amount, compareAtAmount: { minorUnits: '9007199254740992', currency: 'USD' } })]), [
      'INVALID input.prices.0.compareAtAmount.minorUnits',
    ])
  })
})
