import type { Queryable } from '../../../platform/db.ts'
import type { FulfillmentLineModel, FulfillmentOrderModel } from '../models.ts'

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
  const { rows } = await db.query<FulfillmentLineModel>(
    `select l.fulfillment_order_id as "parentId", l.line_item_id as "lineItemId", l.quantity
     from orders.fulfillment_order_lines l join orders.line_items li on li.id = l.line_item_id
     where l.fulfillment_order_id = any($1::text[]) order by l.fulfillment_order_id, li.position`,
    [fulfillmentOrderIds],
  )
  return rows
}
