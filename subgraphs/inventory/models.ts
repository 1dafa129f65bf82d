import type { UserError } from '../../platform/userErrors.ts'
import type { StockLevelChanged } from './events.ts'
import type { InventoryAdjustmentReason, InventoryErrorCode, InventoryQuantityName, LocationType, ReplenishmentMode, ReplenishmentStatus, ReservationStatus } from './generated/resolvers.ts'

/** The states a level stores; ON_HAND is derived from them and never stored. */
export const STORED_QUANTITY_NAMES = ['AVAILABLE', 'COMMITTED', 'RESERVED', 'DAMAGED', 'SAFETY_STOCK', 'QUALITY_CONTROL', 'INCOMING'] as const
export type StoredQuantityName = (typeof STORED_QUANTITY_NAMES)[number]

/** The states that make up ON_HAND (INCOMING is not on hand yet). */
export const ON_HAND_PARTS: readonly StoredQuantityName[] = ['AVAILABLE', 'COMMITTED', 'RESERVED', 'DAMAGED', 'SAFETY_STOCK', 'QUALITY_CONTROL']

/** Every name `InventoryLevel.quantities` answers when called without `names`, in schema order. */
export const ALL_QUANTITY_NAMES: readonly InventoryQuantityName[] = [
  'AVAILABLE', 'ON_HAND', 'COMMITTED', 'RESERVED', 'INCOMING', 'DAMAGED', 'SAFETY_STOCK', 'QUALITY_CONTROL',
]

export type Quantities = Record<StoredQuantityName, number>

export interface LocationModel {
  readonly id: string
  readonly name: string
  readonly type: LocationType
  readonly active: boolean
  readonly fulfillsOnlineOrders: boolean
  readonly countryCode: string
}

export interface InventoryItemModel {
  readonly sku: string
  readonly tracked: boolean
}

export interface InventoryLevelModel {
  readonly sku: string
  readonly locationId: string
  readonly quantities: Quantities
  /** Int64 as a decimal string, as the database hands it back. */
  readonly version: string
  readonly updatedAt: Date
}

export interface ReservationModel {
  readonly id: string
  readonly sku: string
  readonly locationId: string
  readonly quantity: number
  readonly status: ReservationStatus
  readonly expiresAt: Date | null
  readonly referenceDocumentUri: string
  readonly createdAt: Date
}

export interface AdjustmentGroupModel {
  readonly id: string
  readonly reason: InventoryAdjustmentReason
  readonly referenceDocumentUri: string | null
  readonly createdAt: Date
}

export interface AdjustmentChangeModel {
  readonly groupId: string
  readonly sku: string
  readonly locationId: string
  readonly name: StoredQuantityName
  readonly delta: number
  readonly quantityAfterChange: number
}

export interface AllocationModel {
  readonly lineItemId: string
  readonly sku: string
  readonly locationId: string
  readonly quantity: number
}

export interface ReplenishmentModel {
  readonly id: string
  readonly originLocationId: string | null
  readonly destinationLocationId: string
  readonly status: ReplenishmentStatus
  readonly expectedAt: Date | null
}

export interface ReplenishmentLineModel {
  readonly replenishmentId: string
  readonly sku: string
  readonly quantity: number
  readonly receivedQuantity: number
  /** What was asked of the supplier when it accepted less; null when it accepted all (or nothing was asked). */
  readonly requestedQuantity?: number | null
}

/** A purchase order's placement with its supplier (AUTO replenishment); see replenishmentStore.ts. */
export interface SupplierPlacementModel {
  readonly replenishmentId: string
  readonly supplierId: string
  readonly idempotencyKey: string
  readonly attempts: number
  readonly lastError: string | null
  readonly supplierReference: string | null
  readonly acknowledgedAt: Date | null
}

/** A level's replenishment policy (forecast/replenishment.ts): SUGGEST drafts, AUTO places with the supplier. */
export interface ReplenishmentPolicyModel {
  readonly sku: string
  readonly locationId: string
  readonly supplierId: string
  readonly leadTimeDays: number
  readonly reviewPeriodDays: number
  readonly serviceLevel: number
  readonly minimumOrderQuantity: number
  readonly packSize: number
  readonly mode: ReplenishmentMode
  readonly updatedAt: Date
}

/** What replenishmentPolicySet stores for replay: the level's key; the resolver loads the policy. */
export interface PolicyPayloadModel {
  readonly level: { readonly sku: string; readonly locationId: string } | null
  readonly userErrors: readonly InventoryUserErrorModel[]
}

/** What the purchase order mutations store for replay: the id; the resolver loads its current state. */
export interface ReplenishmentPayloadModel {
  readonly replenishmentId: string | null
  readonly userErrors: readonly InventoryUserErrorModel[]
}

/** A catalog-owned variant as this subgraph knows it: only its key. */
export interface ProductVariantRef {
  readonly sku: string
}

/** An orders-owned line item as this subgraph knows it: only its key. */
export interface LineItemRef {
  readonly id: string
}

export type InventoryUserErrorModel = UserError<InventoryErrorCode>

/** What an adjust/move mutation stores for replay: ids only; field resolvers load current state. */
export interface AdjustPayloadModel {
  readonly adjustmentGroupId: string | null
  readonly userErrors: readonly InventoryUserErrorModel[]
}

export interface ReservePayloadModel {
  readonly reservationIds: readonly string[] | null
  readonly userErrors: readonly InventoryUserErrorModel[]
}

/** One `StockLevelChanged` event as the stock feed delivers it. */
export interface StockEventModel {
  readonly eventId: string
  /** Place in the event log (publication order); the cursor encodes it. */
  readonly logPosition: number
  readonly occurredAt: string
  readonly payload: StockLevelChanged
}
