import type { Queryable } from '../../../platform/db.ts'
import type { FulfillmentLineModel, FulfillmentModel } from '../models.ts'

const FULFILLMENT_COLUMNS = `f.id, f.fulfillment_order_id as "fulfillmentOrderId", f.created_at as "createdAt", f.carrier,
  f.tracking_number as "trackingNumber", o.customer_id as "customerId"`
const FULFILLMENT_JOINS = `orders.fulfillments f
  join orders.fulfillment_orders fo on fo.id = f.fulfillment_order_id
  join orders.orders o on o.id = fo.order_id`

export async function fulfillmentsByIds(db: Queryable, ids: readonly string[]): Promise<FulfillmentModel[]> {
  const { rows } = await db.query<FulfillmentModel>(`select ${FULFILLMENT_COLUMNS} from ${FULFILLMENT_JOINS} where f.id = any($1::text[])`, [ids])
  return rows
}

export async function fulfillmentsByFulfillmentOrderIds(db: Queryable, fulfillmentOrderIds: readonly string[]): Promise<FulfillmentModel[]> {
  const { rows } = await db.query<FulfillmentModel>(
    `select ${FULFILLMENT_COLUMNS} from ${FULFILLMENT_JOINS} where f.fulfillment_order_id = any($1::text[]) order by f.created_at, f.id`,
    [fulfillmentOrderIds],
  )
  return rows
}

export async function fulfillmentLinesByIds(db: Queryable, fulfillmentIds: readonly string[]): Promise<FulfillmentLineModel[]> {
  const { rows } = await db.query<FulfillmentLineModel>(
    `select l.fulfillment_id as "parentId", l.line_item_id as "lineItemId", l.quantity
     from orders.fulfillment_lines l join orders.line_items li on li.id = l.line_item_id
     where l.fulfillment_id = any($1::text[]) order by l.fulfillment_id, li.position`,
    [fulfillmentIds],
  )
  return rows
}
