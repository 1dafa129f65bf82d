import { isEnabledCurrency } from '../../../platform/money.ts'
import type { PriceInput } from '../generated/resolvers.ts'
import type { CatalogUserErrorModel } from '../models.ts'

/**
 * What is wrong with the prices of a variantPricesSet input, judged without the database. Every
 * problem is reported (not only the first), each with its path into the arguments.
 */
export function priceInputErrors(prices: readonly PriceInput[]): CatalogUserErrorModel[] {
  const path = (...rest: (string | number)[]) => ['input', 'prices', ...rest.map(String)]
  if (prices.length === 0) return [{ code: 'INVALID', field: path(), message: 'Give at least one price' }]
  const errors: CatalogUserErrorModel[] = []
  prices.forEach((price, i) => {
    const { amount, compareAtAmount } = price
    if (!isEnabledCurrency(amount.currency)) {
      errors.push({ code: 'CURRENCY_NOT_ENABLED', field: path(i, 'amount', 'currency'), message: `Currency ${amount.currency} is not enabled` })
    }
    if (BigInt(amount.minorUnits) < 0n) {
      errors.push({ code: 'INVALID', field: path(i, 'amount', 'minorUnits'), message: 'The amount must not be negative' })
    }
    if (compareAtAmount) {
      if (compareAtAmount.currency !== amount.currency) {
        errors.push({ code: 'INVALID', field: path(i, 'compareAtAmount', 'currency'), message: 'The compare-at amount must be in the currency of the amount' })
      } else if (BigInt(compareAtAmount.minorUnits) < BigInt(amount.minorUnits)) {
        errors.push({ code: 'INVALID', field: path(i, 'compareAtAmount', 'minorUnits'), message: 'The compare-at amount must not be below the amount' })
      }
    }
    if (price.validFrom && price.validUntil && price.validFrom.getTime() >= price.validUntil.getTime()) {
      errors.push({ code: 'INVALID', field: path(i, 'validUntil'), message: 'validUntil must be after validFrom' })
    }
  })
  prices.forEach((price, j) => {
    const clash = prices.findIndex((other, i) => i < j && samePair(other, price) && overlap(other, price))
    if (clash >= 0) {
      errors.push({
        code: 'OVERLAPPING_VALIDITY',
        field: path(j, 'validFrom'),
        message: `Price ${j} overlaps price ${clash} of the same currency and channel`,
      })
    }
  })
  return errors
}

/** Prices of the same currency and channel: the ones a variantPricesSet replaces together. */
const samePair = (a: PriceInput, b: PriceInput): boolean =>
  a.amount.currency === b.amount.currency && (a.channelId ?? null) === (b.channelId ?? null)

/** Half-open windows [from, until) with open ends overlap when each starts before the other ends. */
function overlap(a: PriceInput, b: PriceInput): boolean {
  const start = (p: PriceInput) => p.validFrom?.getTime() ?? -Infinity
  const end = (p: PriceInput) => p.validUntil?.getTime() ?? Infinity
  return start(a) < end(b) && start(b) < end(a)
}
