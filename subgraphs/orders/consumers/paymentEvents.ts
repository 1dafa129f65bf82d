import type { EventHandler } from '../../../platform/consumer.ts'
import type { Queryable } from '../../../platform/db.ts'
import type { FinanceEvents, PaymentAuthorized } from '../../finance/events.ts'
import { formatMoney } from '../formatMoney.ts'
import { kit } from '../kit.ts'
import { cancelOpenOrder, closeWhenSettled } from '../mutations/orderLifecycle.ts'
import type { OrderModel, OrderTimelineEventType } from '../models.ts'
import { addRefunded, ordersBy, setCapturedTotal } from '../store/orderStore.ts'
import { appendTimeline } from '../store/timelineStore.ts'

/**
 * Moves orders on finance's payment events: authorized → confirmed, declined → cancelled (stock
 * released through OrderCancelled), captured and refunded → on the timeline, and closed once
 * settled. Events about orders this service does not hold are ignored.
 */
export const paymentEvents: EventHandler<FinanceEvents> = {
  name: 'orders.payment-events',
  subjects: ['commerce.finance.>'],
  apply: async (tx, event) => {
    // every finance event is about an order
    const [order] = await ordersBy(tx, 'id', [event.payload.orderId])
    if (!order) return
    switch (event.type) {
      case 'PaymentAuthorized':
        return authorized(tx, order, event.payload)
      case 'PaymentDeclined': {
        const { reason, code } = event.payload
        await cancelOpenOrder(tx, order.id, reason, [{ type: 'PAYMENT_DECLINED', message: `Payment declined: ${reason} (${code})` }])
        return
      }
      case 'PaymentCaptured':
        await setCapturedTotal(tx, order.id, event.payload.capturedTotal)
        return settle(tx, order.id, 'PAYMENT_CAPTURED', `Payment of ${formatMoney(event.payload.amount, event.payload.currency)} captured`)
      case 'PaymentVoided':
        return appendTimeline(tx, order.id, [{ type: 'PAYMENT_VOIDED', message: 'Payment authorization voided' }])
      case 'RefundIssued':
        await addRefunded(tx, order.id, event.payload.amount)
        return settle(tx, order.id, 'REFUND_ISSUED', `Refund of ${formatMoney(event.payload.amount, event.payload.currency)} issued`)
      default:
        return undefined
    }
  },
}

async function authorized(tx: Queryable, order: OrderModel, payment: PaymentAuthorized): Promise<void> {
  await appendTimeline(tx, order.id, [{ type: 'PAYMENT_AUTHORIZED', message: `Payment of ${formatMoney(payment.amount, payment.currency)} authorized` }])
  // an order cancelled meanwhile (its stock could not be allocated) is not confirmed; finance voids on OrderCancelled
  if (order.status !== 'OPEN') return
  await kit.publish(tx, { type: 'OrderConfirmed', aggregateId: order.id, payload: { orderId: order.id, paymentId: payment.paymentId } })
}

/** Money moved: on the timeline, then the order closes if that settled it. */
async function settle(tx: Queryable, orderId: string, type: OrderTimelineEventType, message: string): Promise<void> {
  await appendTimeline(tx, orderId, [{ type, message }])
  await closeWhenSettled(tx, orderId)
}
