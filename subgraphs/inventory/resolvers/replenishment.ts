import { requireStaff } from '../../../platform/viewer.ts'
import type { ReplenishmentLineResolvers, ReplenishmentResolvers } from '../generated/resolvers.ts'
import { itemOf, locationOf } from '../references.ts'

export const Replenishment: ReplenishmentResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.replenishment.load(ref.id),
  origin: (replenishment, _args, ctx) => (replenishment.originLocationId ? locationOf(ctx, replenishment.originLocationId) : null),
  destination: (replenishment, _args, ctx) => locationOf(ctx, replenishment.destinationLocationId),
  lines: (replenishment, _args, ctx) => ctx.loaders.replenishmentLines.load(replenishment.id),
  // the supplier, its reference and its errors are staff's business, though the order is public
  placement: (replenishment, _args, ctx) => {
    requireStaff(ctx.viewer)
    return ctx.loaders.placement.load(replenishment.id)
  },
}

export const ReplenishmentLine: ReplenishmentLineResolvers = {
  item: (line, _args, ctx) => itemOf(ctx, line.sku),
  requestedQuantity: (line) => line.requestedQuantity ?? line.quantity,
}
