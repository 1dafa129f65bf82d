import type { ReturnResolvers } from '../generated/resolvers.ts'
import { present } from '../invariants.ts'
import { visibleTo } from '../../../platform/viewer.ts'

export const Return: ReturnResolvers = {
  __resolveReference: async ({ id }, { viewer, loaders }) => visibleTo(viewer, await loaders.returnById.load(id)),
  order: async (entry, _args, { loaders }) => present(await loaders.orderById.load(entry.orderId), `order of ${entry.id}`),
  lines: (entry, _args, { loaders }) => loaders.returnLinesById.load(entry.id),
}
