import { canReadCustomerData } from '../../../platform/viewer.ts'
import { money } from '../../../platform/money.ts'
import type { OrderResolvers } from '../generated/resolvers.ts'
import type { OrderModel } from '../models.ts'
import { balanceDueOf, financialStatusOf } from '../orderFinance.ts'

/**
 * The orders-owned Order, with the money state finance adds. An order finance has not heard of
 * (its OrderPlaced not yet consumed) resolves to an order without payments: PENDING, nothing
 * paid. Orders stays the authority on whether it exists and who may read it; finance only hides
 * an order it knows belongs to another customer.
 */
export const Order: OrderResolvers = {
  __resolveReference: async (reference, { viewer, loaders }) => {
    const account = await loaders.orderAccount.load(reference.id)
    if (account && !canReadCustomerData(viewer, account.customerId)) return null
    const model: OrderModel = { id: reference.id, total: 'total' in reference ? reference.total : null }
    return model
  },
  financialStatus: async (order, _args, { loaders }) => {
    const [account, payments] = await Promise.all([loaders.orderAccount.load(order.id), loaders.paymentsOfOrder.load(order.id)])
    return financialStatusOf(BigInt(account?.total ?? 0), payments)
  },
  balanceDue: async (order, _args, { loaders }) => {
    const [account, payments] = await Promise.all([loaders.orderAccount.load(order.id), loaders.paymentsOfOrder.load(order.id)])
    // `total` comes from orders (@requires); finance's copy is the fallback for a plan without it
    const total = order.total ? BigInt(String(order.total.minorUnits)) : BigInt(account?.total ?? 0)
    const currency = order.total?.currency ?? account?.currency ?? 'USD'
    return money(balanceDueOf(total, payments, account?.status === 'CANCELLED'), currency)
  },
  payments: (order, _args, { loaders }) => loaders.paymentsOfOrder.load(order.id),
  invoices: (order, _args, { loaders }) => loaders.invoicesOfOrder.load(order.id),
  refunds: (order, _args, { loaders }) => loaders.refundsOfOrder.load(order.id),
}
