import type { FulfillmentOrderResolvers } from '../generated/resolvers.ts'
import { present } from '../invariants.ts'
import { visibleTo } from '../../../platform/viewer.ts'

export const FulfillmentOrder: FulfillmentOrderResolvers = {
  __resolveReference: async ({ id }, { viewer, loaders }) => visibleTo(viewer, await loaders.fulfillmentOrderById.load(id)),
  order: async (fulfillmentOrder, _args, { loaders }) => present(await loaders.orderById.load(fulfillmentOrder.orderId), `order of ${fulfillmentOrder.id}`),
  assignedLocation: (fulfillmentOrder) => ({ id: fulfillmentOrder.assignedLocationId }),
  lines: (fulfillmentOrder, _args, { loaders }) => loaders.fulfillmentOrderLinesById.load(fulfillmentOrder.id),
  fulfillments: (fulfillmentOrder, _args, { loaders }) => loaders.fulfillmentsByFulfillmentOrderId.load(fulfillmentOrder.id),
}
