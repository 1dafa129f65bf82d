import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { OrderTimelineEventModel, OrderTimelineEventType } from '../models.ts'

export async function timelinesByOrderIds(db: Queryable, orderIds: readonly string[]): Promise<OrderTimelineEventModel[]> {
  const { rows } = await db.query<OrderTimelineEventModel>(
    `select order_id as "orderId", type, occurred_at as "occurredAt", message
     from orders.order_timeline where order_id = any($1::text[]) order by order_id, occurred_at, id`,
    [orderIds],
  )
  return rows
}

export interface NewTimelineEvent {
  readonly type: OrderTimelineEventType
  readonly message: string
}

/** Appends entries to an order's timeline, in the given order, stamped with the transaction's time. */
export async function appendTimeline(tx: Queryable, orderId: string, entries: readonly NewTimelineEvent[]): Promise<void> {
  await insertTimeline(tx, entries.map((entry) => ({ ...entry, orderId, occurredAt: null })))
}

/**
 * Writes timeline entries of any orders, in the given order (their `id`, which orders entries of
 * one instant); an entry without `occurredAt` happened now.
 */
export async function insertTimeline(
  tx: Queryable,
  entries: readonly (NewTimelineEvent & { readonly orderId: string; readonly occurredAt: Date | null })[],
): Promise<void> {
  await insertRows(tx, 'orders.order_timeline', entries, {
    orderId: 'text', type: 'text', occurredAt: ['timestamptz', (e) => e.occurredAt, 'coalesce(occurred_at, now())'], message: 'text',
  })
}
