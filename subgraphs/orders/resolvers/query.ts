import { badUserInput } from '../../../platform/errors.ts'
import { connectionKind } from '../../../platform/pagination.ts'
import { isStaff, requireSubject, visibleTo } from '../../../platform/viewer.ts'
import type { QueryResolvers } from '../generated/resolvers.ts'
import type { OrderModel } from '../models.ts'
import { orderPage } from '../store/orderStore.ts'

/** Query.orders, newest first: (placedAtKey, id). */
const ORDERS = connectionKind('OrderConnection', ['instant', 'string'])

export const Query: QueryResolvers = {
  cart: async (_parent, { id }, { viewer, loaders }) => visibleTo(viewer, await loaders.cartById.load(id)),

  order: async (_parent, { id, number }, { viewer, loaders }) => {
    if (id != null && number != null) throw badUserInput(`pass 'id' or 'number', not both`, 'number')
    if (id != null) return visibleTo(viewer, await loaders.orderById.load(id))
    if (number != null) return visibleTo(viewer, await loaders.orderByNumber.load(number))
    throw badUserInput(`pass 'id' or 'number'`, 'id')
  },

  orders: async (_parent, { first, after, last, before, filter }, { viewer, db, config, loaders }) => {
    const subject = requireSubject(viewer)
    const request = ORDERS.page({ first, after, last, before }, { maxPageSize: config.maxPageSize })
    const rows = await orderPage(db, {
      customerId: isStaff(viewer) ? null : subject,
      status: filter?.status ?? null,
      placedAfter: filter?.placedAfter ?? null,
      sku: filter?.sku ?? null,
      after: request.after,
      before: request.before,
      forward: request.forward,
      limit: request.limit + 1,
    })
    // their fulfillment orders and returns point back at these orders
    for (const order of rows) loaders.orderById.prime(order.id, order)
    return ORDERS.connection(rows, request, (order: OrderModel) => [order.placedAtKey, order.id])
  },
}
