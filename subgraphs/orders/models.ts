/**
 * What the stores return and the resolvers resolve from. Money columns arrive as decimal strings
 * (int8), timestamps as Date. Every model reachable on its own carries the customer that owns it,
 * so that ownership is checked wherever it is resolved (queries and `_entities` alike).
 */
import type { UserError } from '../../platform/userErrors.ts'
import type { OrderErrorCode } from './generated/resolvers.ts'

/** Anything a customer may read only when it is theirs. */
export interface Owned {
  readonly customerId: string
}

export interface CartModel extends Owned {
  readonly id: string
  readonly currency: string
  readonly countryCode: string
  readonly createdAt: Date
  readonly expiresAt: Date | null
  /** Set once, by the checkout that turned the cart into an order. */
  readonly checkedOutAt: Date | null
}

/** A cart line priced from the catalog_prices read model in the cart's currency. */
export interface CartLineModel {
  readonly id: string
  readonly cartId: string
  readonly sku: string
  readonly quantity: number
  readonly currency: string
  readonly unitPrice: string
  readonly taxIncluded: boolean
}

export interface TaxRateModel {
  readonly countryCode: string
  readonly title: string
  readonly rate: string
  readonly pricesIncludeTax: boolean
}

export interface CatalogPriceModel {
  readonly sku: string
  readonly currency: string
  readonly variantTitle: string
  readonly productTitle: string
  readonly amount: string
  readonly taxIncluded: boolean
}

export type OrderStatus = 'OPEN' | 'CANCELLED' | 'CLOSED'
export type OrderFulfillmentStatus = 'UNFULFILLED' | 'PARTIALLY_FULFILLED' | 'FULFILLED' | 'PARTIALLY_RETURNED' | 'RETURNED'

export interface OrderModel extends Owned {
  readonly id: string
  readonly number: string
  readonly status: OrderStatus
  readonly fulfillmentStatus: OrderFulfillmentStatus
  readonly currency: string
  readonly countryCode: string
  readonly placedAt: Date
  /** placed_at at full (microsecond) precision, for keyset cursors: a Date keeps milliseconds only */
  readonly placedAtKey: string
  readonly subtotal: string
  readonly shippingTotal: string
  readonly discountTotal: string
  readonly taxTotal: string
  readonly total: string
  readonly cancelReason: string | null
  readonly cancelledAt: Date | null
}

export type OrderTimelineEventType =
  | 'PLACED'
  | 'PAYMENT_AUTHORIZED'
  | 'PAYMENT_DECLINED'
  | 'PAYMENT_CAPTURED'
  | 'PAYMENT_VOIDED'
  | 'CANCELLED'
  | 'FULFILLMENT_CREATED'
  | 'RETURN_CREATED'
  | 'REFUND_ISSUED'
  | 'CLOSED'

export interface OrderTimelineEventModel {
  readonly orderId: string
  readonly type: OrderTimelineEventType
  readonly occurredAt: Date
  readonly message: string
}

/** As stored in line_items.tax_lines. */
export interface StoredTaxLine {
  readonly title: string
  readonly rate: string
  readonly amount: string
}

export interface LineItemModel extends Owned {
  readonly id: string
  readonly orderId: string
  /** From 1, in the order's order. */
  readonly position: number
  readonly sku: string
  readonly title: string
  readonly quantity: number
  readonly currency: string
  readonly unitPrice: string
  readonly discountTotal: string
  readonly taxLines: readonly StoredTaxLine[]
  readonly total: string
}

export type FulfillmentOrderStatus = 'OPEN' | 'IN_PROGRESS' | 'ON_HOLD' | 'CLOSED' | 'CANCELLED'

export interface FulfillmentOrderModel extends Owned {
  readonly id: string
  readonly orderId: string
  readonly assignedLocationId: string
  readonly status: FulfillmentOrderStatus
  readonly createdAt: Date
}

export interface FulfillmentModel extends Owned {
  readonly id: string
  readonly fulfillmentOrderId: string
  readonly createdAt: Date
  readonly carrier: string | null
  readonly trackingNumber: string | null
}

/** A line of a fulfillment order or of a fulfillment. */
export interface FulfillmentLineModel {
  readonly parentId: string
  readonly lineItemId: string
  readonly quantity: number
  /** Read with the line (one statement for lines and their line items). */
  readonly lineItem: LineItemModel
}

export type ReturnStatus = 'REQUESTED' | 'OPEN' | 'CLOSED' | 'DECLINED' | 'CANCELLED'

export interface ReturnModel extends Owned {
  readonly id: string
  readonly orderId: string
  readonly status: ReturnStatus
  readonly createdAt: Date
}

export interface ReturnLineModel {
  readonly returnId: string
  readonly lineItemId: string
  readonly quantity: number
  readonly reason: string | null
  readonly restock: boolean
  /** Read with the line (one statement for lines and their line items). */
  readonly lineItem: LineItemModel
}

export type OrderUserErrorModel = UserError<OrderErrorCode>

/** Mutation payloads hold ids (what runMutation stores as JSON); field resolvers load the rest. */
export interface CartPayloadModel {
  readonly cartId: string | null
  readonly userErrors: readonly OrderUserErrorModel[]
}

export interface CheckoutCompletePayloadModel {
  readonly orderId: string | null
  readonly userErrors: readonly OrderUserErrorModel[]
}

export interface FulfillmentPayloadModel {
  readonly fulfillmentId: string | null
  readonly userErrors: readonly OrderUserErrorModel[]
}

export interface ReturnPayloadModel {
  readonly returnId: string | null
  readonly userErrors: readonly OrderUserErrorModel[]
}
