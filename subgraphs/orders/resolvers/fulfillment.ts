import type { FulfillmentResolvers } from '../generated/resolvers.ts'
import { visibleTo } from '../../../platform/viewer.ts'

export const Fulfillment: FulfillmentResolvers = {
  __resolveReference: async ({ id }, { viewer, loaders }) => visibleTo(viewer, await loaders.fulfillmentById.load(id)),
  lines: (fulfillment, _args, { loaders }) => loaders.fulfillmentLinesById.load(fulfillment.id),
}
