import type { Context } from './subgraph.ts'
import type { InventoryItemModel, LocationModel } from './models.ts'

/**
 * For non-null `item` / `location` fields of rows that reference them by foreign key: a miss is a
 * broken invariant, not a client error.
 */
export async function itemOf(ctx: Context, sku: string): Promise<InventoryItemModel> {
  const item = await ctx.loaders.item.load(sku)
  if (!item) throw new Error(`inventory item ${sku} is referenced but missing`)
  return item
}

export async function locationOf(ctx: Context, id: string): Promise<LocationModel> {
  const location = await ctx.loaders.location.load(id)
  if (!location) throw new Error(`location ${id} is referenced but missing`)
  return location
}
