import type { EventAggregates } from '../../platform/outbox.ts'

/**
 * What orders publishes (aggregate `Order`, subjects `commerce.orders.Order.<type>`). Other
 * domains import these types; the payloads are a public contract: add fields, never rename.
 * Money amounts are minor units as decimal strings, in the order's currency.
 */
export interface TaxLinePayload {
  readonly title: string
  readonly rate: string
  readonly amount: string
}

export interface OrderLinePayload {
  readonly lineItemId: string
  readonly sku: string
  readonly title: string
  readonly quantity: number
  readonly unitPrice: string
  readonly taxLines: readonly TaxLinePayload[]
  readonly total: string
  /** The inventory reservation that holds this line's units (one per line). */
  readonly reservationId: string
  readonly locationId: string
}

export interface OrderPlaced {
  readonly orderId: string
  readonly number: string
  readonly customerId: string
  readonly currency: string
  readonly countryCode: string
  readonly placedAt: string
  /** The provider's single-use payment method reference; finance authorizes with it. */
  readonly paymentMethodToken: string
  readonly subtotal: string
  readonly taxTotal: string
  readonly shippingTotal: string
  readonly discountTotal: string
  readonly total: string
  /** Whether the line prices include tax (EUR) or tax is added on top (USD). */
  readonly pricesIncludeTax: boolean
  readonly lines: readonly OrderLinePayload[]
}

export interface OrderConfirmed {
  readonly orderId: string
  readonly paymentId: string
}

export interface OrderCancelled {
  readonly orderId: string
  readonly reason: string
  readonly lines: readonly { readonly lineItemId: string; readonly sku: string; readonly quantity: number; readonly reservationId: string; readonly locationId: string }[]
}

export interface FulfillmentCreated {
  readonly orderId: string
  readonly fulfillmentId: string
  readonly fulfillmentOrderId: string
  readonly locationId: string
  readonly lines: readonly { readonly lineItemId: string; readonly sku: string; readonly quantity: number }[]
}

export interface ReturnCreated {
  readonly orderId: string
  readonly returnId: string
  readonly restock: boolean
  readonly lines: readonly { readonly lineItemId: string; readonly sku: string; readonly quantity: number; readonly locationId: string }[]
}

/** Orders' event map: type name → payload. Consumers import it as a type only. */
export interface OrdersEvents {
  OrderPlaced: OrderPlaced
  OrderConfirmed: OrderConfirmed
  OrderCancelled: OrderCancelled
  FulfillmentCreated: FulfillmentCreated
  ReturnCreated: ReturnCreated
}

/** The aggregate each event is about: every one is about its `Order`. */
export const ORDERS_AGGREGATES: EventAggregates<OrdersEvents> = {
  OrderPlaced: 'Order',
  OrderConfirmed: 'Order',
  OrderCancelled: 'Order',
  FulfillmentCreated: 'Order',
  ReturnCreated: 'Order',
}
