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

/**
 * A purchase order was placed with its supplier (staff approved its draft, or the supplier
 * acknowledged an AUTO order): its units are INCOMING at the destination from now on. Aggregate
 * `Replenishment`, id = the replenishment's id.
 */
export interface PurchaseOrderPlaced {
  readonly replenishmentId: string
  readonly supplierId: string | null
  readonly destinationLocationId: string
  /** RFC 3339; null when unknown. AUTO: the date the supplier promised. */
  readonly expectedAt: string | null
  /** The units ordered: for an AUTO order, what the supplier accepted. */
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[]
  /** AUTO only: the supplier's reference for the order. */
  readonly supplierReference?: string
  /** AUTO only: the units asked of the supplier, when it accepted fewer of some line. */
  readonly requestedLines?: readonly { readonly sku: string; readonly quantity: number }[]
}

/**
 * An AUTO purchase order was recorded for a need and is to be placed with its supplier (or placed
 * again, after staff retried it): the placement consumer sends it, under `idempotencyKey`.
 * Nothing is INCOMING yet. Aggregate `Replenishment`.
 */
export interface PurchaseOrderSubmitted {
  readonly replenishmentId: string
  readonly supplierId: string
  readonly destinationLocationId: string
  /** The key the supplier knows this placement by. */
  readonly idempotencyKey: string
  /** RFC 3339: when the policy's lead time would bring the units; null when unknown. */
  readonly expectedAt: string | null
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[]
}

/**
 * Units of a purchase order or transfer arrived at its destination (INCOMING → AVAILABLE).
 * Aggregate `Replenishment`. `lines` are this delivery's units; `status` is the replenishment's
 * after it (RECEIVED once every unit is in, else PARTIALLY_RECEIVED).
 */
export interface PurchaseOrderReceived {
  readonly replenishmentId: string
  readonly destinationLocationId: string
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[]
  readonly status: 'RECEIVED' | 'PARTIALLY_RECEIVED'
}

/** Inventory's event map: type name → payload. Consumers import it as a type only. */
export interface InventoryEvents {
  StockLevelChanged: StockLevelChanged
  AllocationFailed: AllocationFailed
  PurchaseOrderPlaced: PurchaseOrderPlaced
  PurchaseOrderReceived: PurchaseOrderReceived
  PurchaseOrderSubmitted: PurchaseOrderSubmitted
}

/** The aggregate of each event: the third token of its subject (`commerce.inventory.InventoryLevel.StockLevelChanged`). */
export const INVENTORY_AGGREGATES = {
  StockLevelChanged: 'InventoryLevel',
  AllocationFailed: 'Order',
  PurchaseOrderPlaced: 'Replenishment',
  PurchaseOrderReceived: 'Replenishment',
  PurchaseOrderSubmitted: 'Replenishment',
} as const satisfies EventAggregates<InventoryEvents>

export const levelAggregateId = (sku: string, locationId: string): string => `${sku}@${locationId}`
