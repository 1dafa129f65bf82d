import type { EventAggregates } from '../../platform/outbox.ts'

/**
 * What inventory publishes (subjects `commerce.inventory.<aggregate>.<type>`). Other domains and
 * the stock feed import these types; the payloads are a public contract: add fields, never rename.
 */
export type QuantityName = 'AVAILABLE' | 'ON_HAND' | 'COMMITTED' | 'RESERVED' | 'INCOMING' | 'DAMAGED' | 'SAFETY_STOCK' | 'QUALITY_CONTROL'

/**
 * One level (sku at location) changed. Aggregate `InventoryLevel`, id `<sku>@<locationId>`, so
 * the per-aggregate sequence orders a level's events. `version` is the level's version after the
 * change. `changes` lists every quantity name (ON_HAND included) whose value changed.
 */
export interface StockLevelChanged {
  readonly sku: string
  readonly locationId: string
  readonly version: string
  readonly changes: readonly { readonly name: QuantityName; readonly before: number; readonly after: number }[]
  /** AVAILABLE crossed zero: NONE, BACK_IN_STOCK (0 → >0) or OUT_OF_STOCK (>0 → 0). */
  readonly transition: 'NONE' | 'BACK_IN_STOCK' | 'OUT_OF_STOCK'
  readonly reason: string
  readonly referenceDocumentUri: string | null
  /** The adjustment group (ledger record) this change belongs to. */
  readonly adjustmentGroupId: string
}

/**
 * An order's reservation could not be turned into committed stock (it expired or was released
 * before `OrderPlaced` arrived, and AVAILABLE cannot cover it). Aggregate `Order`, id = order id.
 * Orders cancels the order.
 */
export interface AllocationFailed {
  readonly orderId: string
  readonly lines: readonly { readonly lineItemId: string; readonly sku: string; readonly quantity: number }[]
  readonly reason: string
}

/** Inventory's event map: type name → payload. Consumers import it as a type only. */
export interface InventoryEvents {
  StockLevelChanged: StockLevelChanged
  AllocationFailed: AllocationFailed
}

/** The aggregate of each event: the third token of its subject (`commerce.inventory.InventoryLevel.StockLevelChanged`). */
export const INVENTORY_AGGREGATES = {
  StockLevelChanged: 'InventoryLevel',
  AllocationFailed: 'Order',
} as const satisfies EventAggregates<InventoryEvents>

export const levelAggregateId = (sku: string, locationId: string): string => `${sku}@${locationId}`
