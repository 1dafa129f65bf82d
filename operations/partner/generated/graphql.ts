/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Whether a level's AVAILABLE crossed zero with a change. */
export type AvailabilityTransition =
  /** AVAILABLE went from 0 to more than 0. */
  | 'BACK_IN_STOCK'
  /** AVAILABLE did not cross zero. */
  | 'NONE'
  /** AVAILABLE went from more than 0 to 0. */
  | 'OUT_OF_STOCK';

/** An order's money state, derived from its payments: first whether anything was captured, then refunds. */
export type FinancialStatus =
  /** Money is held on the customer's payment method; nothing captured yet. */
  | 'AUTHORIZED'
  /** Captures cover the order total, and nothing was refunded. */
  | 'PAID'
  /** Captures are below the order total, and nothing was refunded. */
  | 'PARTIALLY_PAID'
  /** Part of what was captured was refunded. */
  | 'PARTIALLY_REFUNDED'
  /** No payment yet (or only a declined authorization): nothing held, nothing captured. */
  | 'PENDING'
  /** Everything that was captured was refunded. */
  | 'REFUNDED'
  /** Every payment was voided before anything was captured (the order was cancelled). */
  | 'VOIDED';

/** Where a fulfillment order stands. */
export type FulfillmentOrderStatus =
  /** The order was cancelled while this fulfillment order was OPEN or ON_HOLD: nothing ships from it. */
  | 'CANCELLED'
  /** Every unit has shipped. */
  | 'CLOSED'
  /** Some units have shipped, not all. */
  | 'IN_PROGRESS'
  /** Held: nothing may ship from it (fulfillmentCreate answers INVALID). */
  | 'ON_HOLD'
  /** Nothing has shipped yet. */
  | 'OPEN';

/** Why stock changed, recorded on every adjustment group and stock event. */
export type InventoryAdjustmentReason =
  /** A wrong quantity was corrected. */
  | 'CORRECTION'
  /** A physical count found another quantity. */
  | 'CYCLE_COUNT'
  /** Units were found damaged. */
  | 'DAMAGED'
  /** Shipped units left COMMITTED (and ON_HAND). */
  | 'FULFILLMENT'
  /** Units moved between states or locations. */
  | 'MOVEMENT'
  /** A cancelled order's COMMITTED or RESERVED units went back to AVAILABLE. */
  | 'ORDER_CANCELLED'
  /** An order's reservations (or AVAILABLE) became COMMITTED when the order was placed (OrderPlaced). */
  | 'ORDER_PLACED'
  /** Any other reason. */
  | 'OTHER'
  /** Units were used for a promotion. */
  | 'PROMOTION'
  /** A purchase order was approved (its units entered INCOMING) or cancelled while ordered (its open units left INCOMING). */
  | 'PURCHASE_ORDER'
  /** Units went into or came out of quality control. */
  | 'QUALITY_CONTROL'
  /** Units were received from a supplier or a transfer. */
  | 'RECEIVED'
  /** A reservation held units, or its release or expiry gave them back (AVAILABLE to RESERVED and back). */
  | 'RESERVATION'
  /** Returned units were put back into stock (a restocked return). */
  | 'RESTOCK'
  /** Units were set aside as, or released from, safety stock. */
  | 'SAFETY_STOCK'
  /** Units were lost, stolen or went missing. */
  | 'SHRINKAGE';

/** Which levels inventoryLevels lists: a level must meet every condition given. */
export type InventoryLevelFilter = {
  /** Only levels at these locations; at most 500 values (BAD_USER_INPUT beyond). Null for every location the viewer may see; a viewer with a locations claim never gets others. */
  locationIds?: Array<string | number> | null | undefined;
  /** Only levels whose version is greater than this one, in version order: pass the last version you applied (from InventoryLevel or StockLevelChangedEvent) to catch up, as after EVENT_CURSOR_EXPIRED. A 64-bit integer sent as a string. */
  sinceVersion?: string | null | undefined;
  /** Only levels of these skus; at most 500 values (BAD_USER_INPUT beyond). Null for every sku. */
  skus?: Array<string> | null | undefined;
  /** Only levels last changed at or after this instant. */
  updatedSince?: string | null | undefined;
};

/** A state a unit of stock is in at a location. ON_HAND = AVAILABLE + COMMITTED + RESERVED + DAMAGED + SAFETY_STOCK + QUALITY_CONTROL; INCOMING is not on hand (Shopify's model). */
export type InventoryQuantityName =
  /** Units on hand that are free to sell or reserve. */
  | 'AVAILABLE'
  /** Units committed to placed orders and not shipped yet; they change only through orders. */
  | 'COMMITTED'
  /** Damaged units on hand, not for sale. */
  | 'DAMAGED'
  /** Units on their way to the location in open replenishments; not on hand yet. */
  | 'INCOMING'
  /** Every unit physically at the location, derived as the sum above, never stored. An adjustment of ON_HAND changes AVAILABLE; a move cannot use it. */
  | 'ON_HAND'
  /** Units on hand under quality inspection, not for sale. */
  | 'QUALITY_CONTROL'
  /** Units held by active reservations (carts, checkouts); they change only through reservations and orders. */
  | 'RESERVED'
  /** Units on hand kept back as a buffer, not for sale. */
  | 'SAFETY_STOCK';

/** How many of an order's units have shipped and come back. */
export type OrderFulfillmentStatus =
  /** Every unit has shipped. */
  | 'FULFILLED'
  /** Some units have shipped, not all. */
  | 'PARTIALLY_FULFILLED'
  /** Some units have come back (a return was created), not all. */
  | 'PARTIALLY_RETURNED'
  /** Every ordered unit has come back. */
  | 'RETURNED'
  /** Nothing has shipped yet. */
  | 'UNFULFILLED';

/** Where an order stands as a whole. */
export type OrderStatus =
  /** Cancelled, for instance because its payment was declined or its stock could not be allocated; cancelReason says why, and its stock is released. */
  | 'CANCELLED'
  /** Nothing is left to do: everything shipped and was paid, or everything came back and was refunded. */
  | 'CLOSED'
  /** Placed and still in progress: something is left to ship, pay or give back. */
  | 'OPEN';

/** What happened to an order. */
export type OrderTimelineEventType =
  /** The order was cancelled; its cancelReason says why. */
  | 'CANCELLED'
  /** The order was closed: nothing is left to ship, pay or give back. */
  | 'CLOSED'
  /** Staff recorded a shipment (fulfillmentCreate). */
  | 'FULFILLMENT_CREATED'
  /** Finance authorized the payment. */
  | 'PAYMENT_AUTHORIZED'
  /** Finance captured a payment. */
  | 'PAYMENT_CAPTURED'
  /** The payment provider declined the payment; an order still OPEN is cancelled with it (CANCELLED follows). */
  | 'PAYMENT_DECLINED'
  /** Finance voided the payment authorization. */
  | 'PAYMENT_VOIDED'
  /** Checkout placed the order. */
  | 'PLACED'
  /** Finance issued a refund. */
  | 'REFUND_ISSUED'
  /** A return was opened (returnCreate). */
  | 'RETURN_CREATED';

/** What a stockLevelChanged subscription follows: skus and/or locationIds are required (at least one of them non-empty, else BAD_USER_INPUT), and an event is sent when it meets every condition given. */
export type StockLevelFilterInput = {
  /** Only these locations; at most 500 per subscription (BAD_USER_INPUT beyond). Null or empty for every location the token may see (a token with a locations claim never gets others). */
  locationIds?: Array<string | number> | null | undefined;
  /** Send an event only when one of these quantities changed; an empty list is BAD_USER_INPUT. The event's changes still list every quantity that changed. */
  quantityNames?: Array<InventoryQuantityName> | null | undefined;
  /** Only these skus; at most 500 per subscription (BAD_USER_INPUT beyond). Null or empty for every sku. */
  skus?: Array<string> | null | undefined;
  /** When true, send only events where AVAILABLE crossed zero (BACK_IN_STOCK or OUT_OF_STOCK, Saleor-style). */
  transitionsOnly?: boolean | null | undefined;
};

export type OrderStatusQueryVariables = Exact<{
  number: string;
}>;


export type OrderStatusQuery = { order: { __typename: 'Order', id: string, number: string, status: OrderStatus, financialStatus: FinancialStatus | null, fulfillmentStatus: OrderFulfillmentStatus, cancelReason: string | null, fulfillmentOrders: Array<{ __typename: 'FulfillmentOrder', id: string, status: FulfillmentOrderStatus, assignedLocation: { __typename: 'Location', id: string, name: string }, fulfillments: Array<{ __typename: 'Fulfillment', id: string, createdAt: string, carrier: string | null, trackingNumber: string | null }> }>, timeline: Array<{ __typename: 'OrderTimelineEvent', type: OrderTimelineEventType, occurredAt: string, message: string }> } | null };

export type StockChangesSubscriptionVariables = Exact<{
  filter: StockLevelFilterInput;
  after?: string | null | undefined;
  currency?: string;
}>;


export type StockChangesSubscription = { stockLevelChanged: { __typename: 'StockLevelChangedEvent', eventId: string, cursor: string, version: string, occurredAt: string, sku: string, transition: AvailabilityTransition, reason: InventoryAdjustmentReason, referenceDocumentUri: string | null, location: { __typename: 'Location', id: string, name: string }, changes: Array<{ __typename: 'QuantityDelta', name: InventoryQuantityName, before: number, after: number }>, variant: { __typename: 'ProductVariant', title: string, product: { __typename: 'Product', title: string }, price: { __typename: 'Price', amount: { __typename: 'Money', minorUnits: string, currency: string, fractionDigits: number } } | null } } };

export type StockLevelsQueryVariables = Exact<{
  filter: InventoryLevelFilter;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type StockLevelsQuery = { inventoryLevels: { __typename: 'InventoryLevelConnection', nodes: Array<{ __typename: 'InventoryLevel', id: string, version: string, updatedAt: string, item: { __typename: 'InventoryItem', sku: string }, location: { __typename: 'Location', id: string, name: string }, quantities: Array<{ __typename: 'InventoryQuantity', name: InventoryQuantityName, quantity: number }> }>, pageInfo: { __typename: 'PageInfo', hasNextPage: boolean, endCursor: string | null } } };


export const OrderStatusDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OrderStatus"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"number"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"order"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"number"},"value":{"kind":"Variable","name":{"kind":"Name","value":"number"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"financialStatus"}},{"kind":"Field","name":{"kind":"Name","value":"fulfillmentStatus"}},{"kind":"Field","name":{"kind":"Name","value":"cancelReason"}},{"kind":"Field","name":{"kind":"Name","value":"fulfillmentOrders"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"assignedLocation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"fulfillments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"carrier"}},{"kind":"Field","name":{"kind":"Name","value":"trackingNumber"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}}]}}]} as unknown as DocumentNode<OrderStatusQuery, OrderStatusQueryVariables>;
export const StockChangesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"StockChanges"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"StockLevelFilterInput"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"currency"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CurrencyCode"}}},"defaultValue":{"kind":"StringValue","value":"EUR","block":false}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stockLevelChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"eventId"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}},{"kind":"Field","name":{"kind":"Name","value":"sku"}},{"kind":"Field","name":{"kind":"Name","value":"location"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"changes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"before"}},{"kind":"Field","name":{"kind":"Name","value":"after"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"transition"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"referenceDocumentUri"}},{"kind":"Field","name":{"kind":"Name","value":"variant"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"product"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"price"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"currency"},"value":{"kind":"Variable","name":{"kind":"Name","value":"currency"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"minorUnits"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"fractionDigits"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}}]}}]} as unknown as DocumentNode<StockChangesSubscription, StockChangesSubscriptionVariables>;
export const StockLevelsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"StockLevels"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"InventoryLevelFilter"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"100"}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inventoryLevels"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"item"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sku"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"location"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"quantities"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"names"},"value":{"kind":"ListValue","values":[{"kind":"EnumValue","value":"AVAILABLE"},{"kind":"EnumValue","value":"ON_HAND"},{"kind":"EnumValue","value":"COMMITTED"},{"kind":"EnumValue","value":"INCOMING"}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}}]}}]} as unknown as DocumentNode<StockLevelsQuery, StockLevelsQueryVariables>;