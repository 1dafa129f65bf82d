import type { Queryable } from '../../../platform/db.ts'
import { JOINED_LINE_ITEM_COLUMNS, withJoinedLineItem } from './lineItemStore.ts'
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
  const { rows } = await db.query<Record<string, unknown>>(
    `select l.fulfillment_id as "parentId", l.line_item_id as "lineItemId", l.quantity, ${JOINED_LINE_ITEM_COLUMNS}
     from orders.fulfillment_lines l join orders.line_items li on li.id = l.line_item_id join orders.orders o on o.id = li.order_id
     where l.fulfillment_id = any($1::text[]) order by l.fulfillment_id, li.position`,
    [fulfillmentIds],
  )
  return rows.map((row) => withJoinedLineItem<Omit<FulfillmentLineModel, 'lineItem'>>(row))
}

export interface NewFulfillment {
  readonly id: string
  readonly fulfillmentOrderId: string
  readonly carrier: string | null
  readonly trackingNumber: string | null
  readonly lines: readonly { readonly lineItemId: string; readonly quantity: number }[]
}

export async function insertFulfillment(tx: Queryable, fulfillment: NewFulfillment): Promise<void> {
  await tx.query(
    `insert into orders.fulfillments (id, fulfillment_order_id, carrier, tracking_number) values ($1, $2, $3, $4)`,
    [fulfillment.id, fulfillment.fulfillmentOrderId, fulfillment.carrier, fulfillment.trackingNumber],
  )
  await tx.query(
    `insert into orders.fulfillment_lines (fulfillment_id, line_item_id, quantity) select $1, * from unnest($2::text[], $3::int[])`,
    [fulfillment.id, fulfillment.lines.map((l) => l.lineItemId), fulfillment.lines.map((l) => l.quantity)],
  )
}
