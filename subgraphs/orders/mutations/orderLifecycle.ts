import type { Queryable } from '../../../platform/db.ts'
import { kit } from '../kit.ts'
import type { OrderModel } from '../models.ts'
import { linePositionsByOrderId } from '../store/fulfillmentOrderStore.ts'
import { cancelOrder, closeIfSettled } from '../store/orderStore.ts'
import { appendTimeline, type NewTimelineEvent } from '../store/timelineStore.ts'

/**
 * Cancels an OPEN order for `reason` and publishes `OrderCancelled` with every line's reservation
 * and location, so inventory gives the stock back (and finance voids what it authorized).
 * `before` goes on the timeline ahead of CANCELLED (what caused it). Conditional: an order that
 * is not OPEN stays as it is and null is returned, so a cause that arrives twice, or two causes,
 * cancel it once.
 */
export async function cancelOpenOrder(tx: Queryable, orderId: string, reason: string, before: readonly NewTimelineEvent[] = []): Promise<OrderModel | null> {
  const cancelled = await cancelOrder(tx, orderId, reason)
  if (!cancelled) {
    if (before.length > 0) await appendTimeline(tx, orderId, before)
    return null
  }
  await appendTimeline(tx, orderId, [...before, { type: 'CANCELLED', message: `Order ${cancelled.number} cancelled: ${reason}` }])
  const lines = await linePositionsByOrderId(tx, orderId)
  await kit.publish(tx, {
    type: 'OrderCancelled',
    aggregateId: orderId,
    payload: {
      orderId,
      reason,
      // the demo store's orders hold no reservation (their units were committed directly): ''
      lines: lines.map((l) => ({ lineItemId: l.lineItemId, sku: l.sku, quantity: l.quantity, reservationId: l.reservationId ?? '', locationId: l.locationId })),
    },
  })
  return cancelled
}

/** Closes the order when nothing is left to ship, pay or give back (see closeIfSettled). */
export async function closeWhenSettled(tx: Queryable, orderId: string): Promise<void> {
  const closed = await closeIfSettled(tx, orderId)
  if (closed) {
    const why = closed.fulfillmentStatus === 'RETURNED' ? 'everything was returned and refunded' : 'everything shipped and was paid'
    await appendTimeline(tx, orderId, [{ type: 'CLOSED', message: `Order ${closed.number} closed: ${why}` }])
  }
}
