import { money } from '../../../platform/money.ts'
import type { InvoiceLineResolvers } from '../generated/resolvers.ts'

export const InvoiceLine: InvoiceLineResolvers = {
  // LineItem is orders' entity (resolvable: false here): its key is all finance hands out
  lineItem: (line) => (line.lineItemId ? { id: line.lineItemId } : null),
  unitPrice: (line) => money(line.unitPrice, line.currency),
  total: (line) => money(line.total, line.currency),
  taxLines: (line) => line.taxLines.map((tax) => ({ title: tax.title, rate: tax.rate, amount: money(tax.amount, line.currency) })),
}
