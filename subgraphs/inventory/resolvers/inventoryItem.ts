import type { InventoryItemResolvers } from '../generated/resolvers.ts'

export const InventoryItem: InventoryItemResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.item.load(ref.sku),
  // the variant is catalog's: answer its key and let the router fetch the rest
  variant: (item) => ({ sku: item.sku }),
}
