import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
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
  /** null: now */
  readonly createdAt: Date | null
  readonly carrier: string | null
  readonly trackingNumber: string | null
  readonly lines: readonly { readonly lineItemId: string; readonly quantity: number }[]
}

/** Writes fulfillments and their lines (fulfillmentCreate's, and the demo store's shipments). */
export async function insertFulfillments(tx: Queryable, fulfillments: readonly NewFulfillment[]): Promise<void> {
  await insertRows(tx, 'orders.fulfillments', fulfillments, {
    id: ['text', (f) => f.id],
    fulfillment_order_id: ['text', (f) => f.fulfillmentOrderId],
    created_at: ['timestamptz', (f) => f.createdAt, 'coalesce(created_at, now())'],
    carrier: ['text', (f) => f.carrier],
    tracking_number: ['text', (f) => f.trackingNumber],
  })
  await insertRows(tx, 'orders.fulfillment_lines', fulfillments.flatMap((f) => f.lines.map((l) => ({ ...l, parentId: f.id }))), {
    fulfillment_id: ['text', (l) => l.parentId],
    line_item_id: ['text', (l) => l.lineItemId],
    quantity: ['int', (l) => l.quantity],
  })
}
