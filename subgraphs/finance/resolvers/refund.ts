import { money } from '../../../platform/money.ts'
import { visibleTo } from '../../../platform/viewer.ts'
import type { RefundResolvers } from '../generated/resolvers.ts'

export const Refund: RefundResolvers = {
  __resolveReference: async (reference, { viewer, loaders }) => visibleTo(viewer, await loaders.refund.load(reference.id)),
  order: (refund) => ({ id: refund.orderId }),
  return: (refund) => (refund.returnId ? { id: refund.returnId } : null),
  amount: (refund) => money(refund.amount, refund.currency),
  transactions: (refund, _args, { loaders }) => loaders.transactionsOfRefund.load(refund.id),
}
