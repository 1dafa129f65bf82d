import { money } from '../../../platform/money.ts'
import type { LineItemResolvers } from '../generated/resolvers.ts'
import { visibleTo } from '../../../platform/viewer.ts'

export const LineItem: LineItemResolvers = {
  // a line item is its order's: readable by the order's customer and staff only
  __resolveReference: async ({ id }, { viewer, loaders }) => visibleTo(viewer, await loaders.lineItemById.load(id)),
  // the live catalog link; the snapshot fields above it never change
  variant: (lineItem) => ({ sku: lineItem.sku }),
  unitPrice: (lineItem) => money(lineItem.unitPrice, lineItem.currency),
  discountTotal: (lineItem) => money(lineItem.discountTotal, lineItem.currency),
  total: (lineItem) => money(lineItem.total, lineItem.currency),
  taxLines: (lineItem) =>
    lineItem.taxLines.map((taxLine) => ({ title: taxLine.title, rate: taxLine.rate, amount: money(taxLine.amount, lineItem.currency) })),
}
