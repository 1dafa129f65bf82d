import type { InventoryLevelResolvers, InventoryQuantityName, ReplenishmentStatus } from '../generated/resolvers.ts'
import { requireDemandAccess } from '../access.ts'
import { levelLoaderKey } from '../loaders.ts'
import { itemOf, locationOf } from '../references.ts'
import { levelOutlook } from './demandForecast.ts'
import { ALL_QUANTITY_NAMES, ON_HAND_PARTS, type Quantities } from '../models.ts'

/** ON_HAND is derived: every state physically at the location; INCOMING has not arrived yet. */
export function quantityOf(quantities: Quantities, name: InventoryQuantityName): number {
  if (name === 'ON_HAND') return ON_HAND_PARTS.reduce((sum, part) => sum + quantities[part], 0)
  return quantities[name]
}

/** What `purchaseOrders` lists unless told otherwise: orders still to be placed, fixed or received. */
const OPEN_PURCHASE_ORDER_STATUSES: readonly ReplenishmentStatus[] = ['ORDERED', 'PARTIALLY_RECEIVED', 'PLACEMENT_FAILED', 'SUBMITTED']

export const InventoryLevel: InventoryLevelResolvers = {
  id: (level) => `${level.sku}@${level.locationId}`,
  item: (level, _args, ctx) => itemOf(ctx, level.sku),
  location: (level, _args, ctx) => locationOf(ctx, level.locationId),
  quantities: (level, { names }) => (names ?? ALL_QUANTITY_NAMES).map((name) => ({ name, quantity: quantityOf(level.quantities, name) })),
  version: (level) => level.version,
  updatedAt: (level) => level.updatedAt,
  forecast: (level, { days }, ctx) => levelOutlook(ctx, level.sku, level.locationId, days),
  replenishmentPolicy: (level, _args, ctx) => {
    requireDemandAccess(ctx.viewer, level.locationId)
    return ctx.loaders.policy.load(levelLoaderKey(level.sku, level.locationId))
  },
  replenishmentDrafts: (level, _args, ctx) => {
    requireDemandAccess(ctx.viewer, level.locationId)
    return ctx.loaders.drafts.load(levelLoaderKey(level.sku, level.locationId))
  },
  purchaseOrders: (level, { statuses }, ctx) => {
    requireDemandAccess(ctx.viewer, level.locationId)
    const asked = statuses && statuses.length > 0 ? [...new Set(statuses)].sort() : OPEN_PURCHASE_ORDER_STATUSES
    return ctx.loaders.purchaseOrders(asked).load(levelLoaderKey(level.sku, level.locationId))
  },
}
