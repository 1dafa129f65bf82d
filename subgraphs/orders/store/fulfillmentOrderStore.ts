import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { FulfillmentOrderModel, FulfillmentOrderStatus } from '../models.ts'

/** Fulfillment orders by id, or by order (oldest first). */
export async function fulfillmentOrdersBy(db: Queryable, key: 'id' | 'order_id', values: readonly string[]): Promise<FulfillmentOrderModel[]> {
  const { rows } = await db.query<FulfillmentOrderModel>(
    `select f.id, f.order_id as "orderId", f.assigned_location_id as "assignedLocationId", f.status, f.created_at as "createdAt",
       o.customer_id as "customerId"
     from orders.fulfillment_orders f join orders.orders o on o.id = f.order_id
     where f.${key} = any($1::text[]) order by f.created_at, f.id`,
    [values],
  )
  return rows
}

/** Where one line item of an order stands: which fulfillment order, and how much shipped and came back. */
export interface LinePosition {
  readonly lineItemId: string
  readonly sku: string
  readonly quantity: number
  readonly reservationId: string | null
  readonly fulfillmentOrderId: string
  readonly locationId: string
  readonly fulfilledQuantity: number
  readonly returnedQuantity: number
}

export async function linePositionsByOrderId(db: Queryable, orderId: string): Promise<LinePosition[]> {
  const { rows } = await db.query<LinePosition>(
    `select li.id as "lineItemId", li.sku, l.quantity, li.reservation_id as "reservationId", f.id as "fulfillmentOrderId",
       f.assigned_location_id as "locationId", l.fulfilled_quantity as "fulfilledQuantity", l.returned_quantity as "returnedQuantity"
     from orders.line_items li
     join orders.fulfillment_order_lines l on l.line_item_id = li.id
     join orders.fulfillment_orders f on f.id = l.fulfillment_order_id
     where li.order_id = $1 order by li.position`,
    [orderId],
  )
  return rows
}

export interface NewFulfillmentOrder {
  readonly id: string
  readonly orderId: string
  readonly assignedLocationId: string
  readonly status: FulfillmentOrderStatus
  /** null: now */
  readonly createdAt: Date | null
  readonly lines: readonly { readonly lineItemId: string; readonly quantity: number; readonly fulfilledQuantity: number }[]
}

/** Writes fulfillment orders and their lines (checkout's, and the demo store's with what shipped). */
export async function insertFulfillmentOrders(tx: Queryable, fulfillmentOrders: readonly NewFulfillmentOrder[]): Promise<void> {
  await insertRows(tx, 'orders.fulfillment_orders', fulfillmentOrders, {
    id: 'text', orderId: 'text', assignedLocationId: 'text', status: 'text',
    createdAt: ['timestamptz', (f) => f.createdAt, 'coalesce(created_at, now())'],
  })
  const lines = fulfillmentOrders.flatMap((f) => f.lines.map((line) => ({ ...line, fulfillmentOrderId: f.id })))
  await insertRows(tx, 'orders.fulfillment_order_lines', lines, {
    fulfillmentOrderId: 'text', lineItemId: 'text', quantity: 'int', fulfilledQuantity: 'int',
  })
}

export interface LineQuantity {
  readonly lineItemId: string
  readonly quantity: number
}

/**
 * Counts units as shipped, each line only if it stays within what the line orders (a conditional
 * update, never read-then-write). Returns the line items it counted: a missing one was refused.
 */
export async function addFulfilledQuantities(tx: Queryable, fulfillmentOrderId: string, lines: readonly LineQuantity[]): Promise<string[]> {
  const { rows } = await tx.query<{ lineItemId: string }>(
    `update orders.fulfillment_order_lines l set fulfilled_quantity = l.fulfilled_quantity + t.quantity
     from unnest($2::text[], $3::int[]) as t(line_item_id, quantity)
     where l.fulfillment_order_id = $1 and l.line_item_id = t.line_item_id and l.fulfilled_quantity + t.quantity <= l.quantity
     returning l.line_item_id as "lineItemId"`,
    [fulfillmentOrderId, lines.map((l) => l.lineItemId), lines.map((l) => l.quantity)],
  )
  return rows.map((row) => row.lineItemId)
}

/** Counts units as returned, each line only within what shipped and was not returned yet. */
export async function addReturnedQuantities(tx: Queryable, lines: readonly LineQuantity[]): Promise<string[]> {
  const { rows } = await tx.query<{ lineItemId: string }>(
    `update orders.fulfillment_order_lines l set returned_quantity = l.returned_quantity + t.quantity
     from unnest($1::text[], $2::int[]) as t(line_item_id, quantity)
     where l.line_item_id = t.line_item_id and l.returned_quantity + t.quantity <= l.fulfilled_quantity
     returning l.line_item_id as "lineItemId"`,
    [lines.map((l) => l.lineItemId), lines.map((l) => l.quantity)],
  )
  return rows.map((row) => row.lineItemId)
}

/** IN_PROGRESS once something shipped, CLOSED once everything did; derived from its lines. */
export async function refreshFulfillmentOrderStatus(tx: Queryable, fulfillmentOrderId: string): Promise<void> {
  await tx.query(
    `update orders.fulfillment_orders f set status = case when t.fulfilled = t.ordered then 'CLOSED' else 'IN_PROGRESS' end
     from (select sum(quantity) as ordered, sum(fulfilled_quantity) as fulfilled
           from orders.fulfillment_order_lines where fulfillment_order_id = $1) t
     where f.id = $1 and f.status in ('OPEN', 'IN_PROGRESS') and t.fulfilled > 0`,
    [fulfillmentOrderId],
  )
}
