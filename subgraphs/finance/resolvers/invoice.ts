import { money } from '../../../platform/money.ts'
import { visibleTo } from '../../../platform/viewer.ts'
import type { InvoiceResolvers } from '../generated/resolvers.ts'

export const Invoice: InvoiceResolvers = {
  __resolveReference: async (reference, { viewer, loaders }) => visibleTo(viewer, await loaders.invoice.load(reference.id)),
  order: (invoice) => ({ id: invoice.orderId }),
  lines: (invoice, _args, { loaders }) => loaders.linesOfInvoice.load(invoice.id),
  subtotal: (invoice) => money(invoice.subtotal, invoice.currency),
  taxTotal: (invoice) => money(invoice.taxTotal, invoice.currency),
  total: (invoice) => money(invoice.total, invoice.currency),
}
