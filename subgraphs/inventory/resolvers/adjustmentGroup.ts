import type { InventoryAdjustmentGroupResolvers, InventoryChangeResolvers } from '../generated/resolvers.ts'
import { itemOf, locationOf } from '../references.ts'

export const InventoryAdjustmentGroup: InventoryAdjustmentGroupResolvers = {
  // staff only: the loader answers null for everyone else
  __resolveReference: (ref, ctx) => ctx.loaders.adjustmentGroup.load(ref.id),
  changes: (group, _args, ctx) => ctx.loaders.adjustmentChanges.load(group.id),
}

export const InventoryChange: InventoryChangeResolvers = {
  item: (change, _args, ctx) => itemOf(ctx, change.sku),
  location: (change, _args, ctx) => locationOf(ctx, change.locationId),
}
