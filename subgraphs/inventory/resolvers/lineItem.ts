import type { AllocationResolvers, LineItemResolvers } from '../generated/resolvers.ts'
import { locationOf } from '../references.ts'

/** Orders owns the line and checks who may reach it; inventory adds where its units were committed. */
export const LineItem: LineItemResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  allocations: (lineItem, _args, ctx) => ctx.loaders.allocations.load(lineItem.id),
}

export const Allocation: AllocationResolvers = {
  location: (allocation, _args, ctx) => locationOf(ctx, allocation.locationId),
}
