import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import { JOINED_LINE_ITEM_COLUMNS, withJoinedLineItem } from './lineItemStore.ts'
import type { FulfillmentLineModel, FulfillmentOrderModel, FulfillmentOrderStatus } from '../models.ts'

const FULFILLMENT_ORDER_COLUMNS = `f.id, f.order_id as "orderId", f.assigned_location_id as "assignedLocationId", f.status,
  f.created_at as "createdAt", o.customer_id as "customerId"`

export async function fulfillmentOrdersByIds(db: Queryable, ids: readonly string[]): Promise<FulfillmentOrderModel[]> {
  const { rows } = await db.query<FulfillmentOrderModel>(
    `select ${FULFILLMENT_ORDER_COLUMNS} from orders.fulfillment_orders f join orders.orders o on o.id = f.order_id
     where f.id = any($1::text[])`,
    [ids],
  )
  return rows
}

export async function fulfillmentOrdersByOrderIds(db: Queryable, orderIds: readonly string[]): Promise<FulfillmentOrderModel[]> {
  const { rows } = await db.query<FulfillmentOrderModel>(
    `select ${FULFILLMENT_ORDER_COLUMNS} from orders.fulfillment_orders f join orders.orders o on o.id = f.order_id
     where f.order_id = any($1::text[]) order by f.created_at, f.id`,
    [orderIds],
  )
  return rows
}

export async function fulfillmentOrderLinesByIds(db: Queryable, fulfillmentOrderIds: readonly string[]): Promise<FulfillmentLineModel[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select l.fulfillment_order_id as "parentId", l.line_item_id as "lineItemId", l.quantity, ${JOINED_LINE_ITEM_COLUMNS}
     from orders.fulfillment_order_lines l join orders.line_items li on li.id = l.line_item_id join orders.orders o on o.id = li.order_id
     where l.fulfillment_order_id = any($1::text[]) order by l.fulfillment_order_id, li.position`,
    [fulfillmentOrderIds],
  )
  return rows.map((row) => withJoinedLineItem<Omit<FulfillmentLineModel, 'lineItem'>>(row))
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
  readonly locationId: string
  readonly status: FulfillmentOrderStatus
  /** null: now */
  readonly createdAt: Date | null
  readonly lines: readonly { readonly lineItemId: string; readonly quantity: number; readonly fulfilledQuantity: number }[]
}

/** Writes fulfillment orders and their lines (checkout's, and the demo store's with what shipped). */
export async function insertFulfillmentOrders(tx: Queryable, fulfillmentOrders: readonly NewFulfillmentOrder[]): Promise<void> {
  await insertRows(tx, 'orders.fulfillment_orders', fulfillmentOrders, {
    id: ['text', (f) => f.id],
    order_id: ['text', (f) => f.orderId],
    assigned_location_id: ['text', (f) => f.locationId],
    status: ['text', (f) => f.status],
    created_at: ['timestamptz', (f) => f.createdAt, 'coalesce(created_at, now())'],
  })
  await insertRows(tx, 'orders.fulfillment_order_lines', fulfillmentOrders.flatMap((f) => f.lines.map((l) => ({ ...l, parentId: f.id }))), {
    fulfillment_order_id: ['text', (l) => l.parentId],
    line_item_id: ['text', (l) => l.lineItemId],
    quantity: ['int', (l) => l.quantity],
    fulfilled_quantity: ['int', (l) => l.fulfilledQuantity],
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
