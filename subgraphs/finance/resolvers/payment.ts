import { money } from '../../../platform/money.ts'
import { visibleTo } from '../../../platform/viewer.ts'
import type { PaymentResolvers } from '../generated/resolvers.ts'

export const Payment: PaymentResolvers = {
  __resolveReference: async (reference, { viewer, loaders }) => visibleTo(viewer, await loaders.payment.load(reference.id)),
  order: (payment) => ({ id: payment.orderId }),
  authorized: (payment) => money(payment.authorized, payment.currency),
  captured: (payment) => money(payment.captured, payment.currency),
  refunded: (payment) => money(payment.refunded, payment.currency),
  transactions: (payment, _args, { loaders }) => loaders.transactionsOfPayment.load(payment.id),
}
