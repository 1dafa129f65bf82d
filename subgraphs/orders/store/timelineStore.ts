import type { Queryable } from '../../../platform/db.ts'
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
  await tx.query(
    `insert into orders.order_timeline (order_id, type, message)
     select $1, type, message from unnest($2::text[], $3::text[]) with ordinality as t(type, message, n) order by n`,
    [orderId, entries.map((e) => e.type), entries.map((e) => e.message)],
  )
}
