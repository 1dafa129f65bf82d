import type { EventHandler } from '../../../platform/consumer.ts'
import type { Queryable } from '../../../platform/db.ts'
import type { EventEnvelope } from '../../../platform/events.ts'
import type { FinanceEvents, PaymentAuthorized, PaymentCaptured, PaymentDeclined, PaymentVoided, RefundIssued } from '../../finance/events.ts'
import { formatMoney } from '../formatMoney.ts'
import { kit } from '../kit.ts'
import { cancelOpenOrder, closeWhenSettled } from '../mutations/orderLifecycle.ts'
import { addRefunded, ordersByIds, setCapturedTotal } from '../store/orderStore.ts'
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
    switch (event.type) {
      case 'PaymentAuthorized':
        return authorized(tx, event)
      case 'PaymentDeclined':
        return declined(tx, event)
      case 'PaymentCaptured':
        return captured(tx, event)
      case 'PaymentVoided':
        return voided(tx, event)
      case 'RefundIssued':
        return refunded(tx, event)
      default:
        return undefined
    }
  },
}

async function orderOf(tx: Queryable, orderId: string) {
  const [order] = await ordersByIds(tx, [orderId])
  return order ?? null
}

async function authorized(tx: Queryable, { payload }: EventEnvelope<PaymentAuthorized>): Promise<void> {
  const order = await orderOf(tx, payload.orderId)
  if (!order) return
  await appendTimeline(tx, order.id, [{ type: 'PAYMENT_AUTHORIZED', message: `Payment of ${formatMoney(payload.amount, payload.currency)} authorized` }])
  // an order cancelled meanwhile (its stock could not be allocated) is not confirmed; finance voids on OrderCancelled
  if (order.status !== 'OPEN') return
  await kit.publish(tx, {
    type: 'OrderConfirmed',
    aggregateId: order.id,
    payload: { orderId: order.id, paymentId: payload.paymentId },
  })
}

async function declined(tx: Queryable, { payload }: EventEnvelope<PaymentDeclined>): Promise<void> {
  const order = await orderOf(tx, payload.orderId)
  if (!order) return
  await cancelOpenOrder(tx, order.id, payload.reason, [{ type: 'PAYMENT_DECLINED', message: `Payment declined: ${payload.reason} (${payload.code})` }])
}

async function captured(tx: Queryable, { payload }: EventEnvelope<PaymentCaptured>): Promise<void> {
  const order = await orderOf(tx, payload.orderId)
  if (!order) return
  await setCapturedTotal(tx, order.id, payload.capturedTotal)
  await appendTimeline(tx, order.id, [{ type: 'PAYMENT_CAPTURED', message: `Payment of ${formatMoney(payload.amount, payload.currency)} captured` }])
  await closeWhenSettled(tx, order.id)
}

async function voided(tx: Queryable, { payload }: EventEnvelope<PaymentVoided>): Promise<void> {
  const order = await orderOf(tx, payload.orderId)
  if (!order) return
  await appendTimeline(tx, order.id, [{ type: 'PAYMENT_VOIDED', message: 'Payment authorization voided' }])
}

async function refunded(tx: Queryable, { payload }: EventEnvelope<RefundIssued>): Promise<void> {
  const order = await orderOf(tx, payload.orderId)
  if (!order) return
  await addRefunded(tx, order.id, payload.amount)
  await appendTimeline(tx, order.id, [{ type: 'REFUND_ISSUED', message: `Refund of ${formatMoney(payload.amount, payload.currency)} issued` }])
  await closeWhenSettled(tx, order.id)
}
