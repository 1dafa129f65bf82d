import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { FulfillmentModel } from '../models.ts'

/** Fulfillments by id, or by fulfillment order (oldest first). */
export async function fulfillmentsBy(db: Queryable, key: 'id' | 'fulfillment_order_id', values: readonly string[]): Promise<FulfillmentModel[]> {
  const { rows } = await db.query<FulfillmentModel>(
    `select f.id, f.fulfillment_order_id as "fulfillmentOrderId", f.created_at as "createdAt", f.carrier,
       f.tracking_number as "trackingNumber", o.customer_id as "customerId"
     from orders.fulfillments f join orders.fulfillment_orders fo on fo.id = f.fulfillment_order_id join orders.orders o on o.id = fo.order_id
     where f.${key} = any($1::text[]) order by f.created_at, f.id`,
    [values],
  )
  return rows
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
    id: 'text', fulfillmentOrderId: 'text', carrier: 'text', trackingNumber: 'text',
    createdAt: ['timestamptz', (f) => f.createdAt, 'coalesce(created_at, now())'],
  })
  const lines = fulfillments.flatMap((f) => f.lines.map((line) => ({ ...line, fulfillmentId: f.id })))
  await insertRows(tx, 'orders.fulfillment_lines', lines, { fulfillmentId: 'text', lineItemId: 'text', quantity: 'int' })
}
