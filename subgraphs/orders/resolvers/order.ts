import { badUserInput } from '../../../platform/errors.ts'
import { money } from '../../../platform/money.ts'
import { connectionKind } from '../../../platform/pagination.ts'
import type { OrderResolvers } from '../generated/resolvers.ts'
import { visibleTo } from '../../../platform/viewer.ts'

/** Order.lineItems, by position. */
/** line_items.position is a PostgreSQL integer */
const LINE_ITEMS = connectionKind('LineItemConnection', ['int32'])

export const Order: OrderResolvers = {
  __resolveReference: async (reference, { viewer, loaders }) => {
    const order = 'id' in reference ? await loaders.orderById.load(reference.id) : await loaders.orderByNumber.load(reference.number)
    return visibleTo(viewer, order)
  },
  subtotal: (order) => money(order.subtotal, order.currency),
  shippingTotal: (order) => money(order.shippingTotal, order.currency),
  discountTotal: (order) => money(order.discountTotal, order.currency),
  taxTotal: (order) => money(order.taxTotal, order.currency),
  total: (order) => money(order.total, order.currency),

  lineItems: async (order, { first, after }, { loaders, config }) => {
    const request = LINE_ITEMS.page({ first, after }, { maxPageSize: config.maxPageSize, defaultPageSize: 50 })
    const afterPosition = request.after?.[0] ?? 0
    // an integer, but one the column can hold: PostgreSQL would refuse a larger one outright
    if (afterPosition < 0) throw badUserInput(`'after' is not a valid cursor for this connection`, 'after')
    // one loader per distinct page arguments, batching the page of every order in the response
    const rows = await loaders.lineItemPage({ limit: request.limit, afterPosition }).load(order.id)
    return LINE_ITEMS.connection(rows, request, (lineItem) => [lineItem.position])
  },
  fulfillmentOrders: (order, _args, { loaders }) => loaders.fulfillmentOrdersByOrderId.load(order.id),
  returns: (order, _args, { loaders }) => loaders.returnsByOrderId.load(order.id),
  timeline: (order, _args, { loaders }) => loaders.timelineByOrderId.load(order.id),
}
