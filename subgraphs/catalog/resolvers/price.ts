import { money } from '../../../platform/money.ts'
import type { MoneyRangeResolvers, PriceResolvers } from '../generated/resolvers.ts'
import { referenceKey } from '../referenceKey.ts'

export const Price: PriceResolvers = {
  __resolveReference: (reference, { loaders }) => {
    const key = referenceKey(reference, ['id'])
    return key ? loaders.priceById.load(key[1]) : null
  },
  amount: (price) => money(price.amount, price.currency),
  compareAtAmount: (price) => (price.compareAtAmount === null ? null : money(price.compareAtAmount, price.currency)),
}

export const MoneyRange: MoneyRangeResolvers = {
  min: (range) => money(range.min, range.currency),
  max: (range) => money(range.max, range.currency),
}
