import { subgraphKit } from '../../platform/subgraphKit.ts'
import { INVENTORY_AGGREGATES, type InventoryEvents } from './events.ts'
import type { InventoryErrorCode } from './generated/resolvers.ts'

/** Inventory's mutation runner, event publisher and userError factory, bound to its schema. */
export const kit = subgraphKit<InventoryEvents, InventoryErrorCode>('inventory', INVENTORY_AGGREGATES)
