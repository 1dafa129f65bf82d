import { money } from '../../../platform/money.ts'
import type { CartLineResolvers } from '../generated/resolvers.ts'
import { lineTotalOf } from '../mutations/cartTotals.ts'

export const CartLine: CartLineResolvers = {
  variant: (line) => ({ sku: line.sku }),
  unitPrice: (line) => money(line.unitPrice, line.currency),
  total: (line) => money(lineTotalOf(line), line.currency),
}
