import { RetryLaterError, type EventHandler } from '../../../platform/consumer.ts'
import type { Database } from '../../../platform/db.ts'
import type { OrdersEvents } from '../../orders/events.ts'
import { ProviderUnavailableError, type PaymentProvider, type ProviderResult } from '../provider/paymentProvider.ts'
import { applyOrderCancelled, prepareOrderCancelled, type ProviderVoid } from './orderCancelled.ts'
import { applyOrderPlaced, prepareOrderPlaced } from './orderPlaced.ts'

/** What the PSP answered before the transaction, per event type. */
export type OrderEventPrepared =
  | { readonly type: 'OrderPlaced'; readonly authorization: ProviderResult }
  | { readonly type: 'OrderCancelled'; readonly voids: readonly ProviderVoid[] }
  | { readonly type: 'ignored' }

/**
 * `finance.order-events`: authorizes, invoices and books placed orders; releases the money of
 * cancelled ones. The PSP is called in `prepare` (never inside a transaction: PGlite has one
 * connection); `apply` writes the outcome with the processed-event record. While the PSP is down
 * (ProviderUnavailableError) the event waits for it: RetryLaterError redelivers it when the
 * breaker lets a probe through, without spending the event's deliveries, so an outage
 * dead-letters no order.
 */
export function orderEventsHandler(db: Database, provider: PaymentProvider): EventHandler<OrdersEvents, keyof OrdersEvents, OrderEventPrepared> {
  return {
    name: 'finance.order-events',
    subjects: ['commerce.orders.>'],
    types: ['OrderPlaced', 'OrderCancelled'],
    async prepare(event) {
      try {
        switch (event.type) {
          case 'OrderPlaced':
            return { type: 'OrderPlaced', authorization: await prepareOrderPlaced(db, provider, event) }
          case 'OrderCancelled':
            return { type: 'OrderCancelled', voids: await prepareOrderCancelled(db, provider, event) }
          default:
            return { type: 'ignored' }
        }
      } catch (error) {
        if (error instanceof ProviderUnavailableError) throw new RetryLaterError(error.message, error.retryAfterMs, { cause: error })
        throw error
      }
    },
    async apply(tx, event, prepared) {
      // prepare answered for this same event, so the two agree; testing both narrows the event and the answer
      if (event.type === 'OrderPlaced' && prepared.type === 'OrderPlaced') return applyOrderPlaced(tx, provider, event, prepared.authorization)
      if (event.type === 'OrderCancelled' && prepared.type === 'OrderCancelled') return applyOrderCancelled(tx, event, prepared.voids)
    },
  }
}
