import type { EventHandler } from '../../../platform/consumer.ts'
import type { FulfillmentCreated, OrderCancelled, OrderPlaced, ReturnCreated } from '../../orders/events.ts'
import { applyFulfillmentCreated } from './fulfillmentCreated.ts'
import { applyOrderCancelled } from './orderCancelled.ts'
import { applyOrderPlaced } from './orderPlaced.ts'
import { applyReturnCreated } from './returnCreated.ts'

/**
 * Inventory's part of the order flow. Every effect goes through applyLevelChanges (so it is in the
 * ledger and emits StockLevelChanged) and claims its order document first, so it applies once even
 * apart from the consumer's processed-event record. Other order events carry no stock effect.
 */
export const orderEventsHandler: EventHandler<void> = {
  name: 'inventory.order-events',
  subjects: ['commerce.orders.>'],
  async apply(tx, event) {
    // type names as literals: only the payload types are imported from orders, never its code
    switch (event.type) {
      case 'OrderPlaced':
        return applyOrderPlaced(tx, event.payload as OrderPlaced)
      case 'OrderCancelled':
        return applyOrderCancelled(tx, event.payload as OrderCancelled)
      case 'FulfillmentCreated':
        return applyFulfillmentCreated(tx, event.payload as FulfillmentCreated)
      case 'ReturnCreated':
        return applyReturnCreated(tx, event.payload as ReturnCreated)
      default:
        return undefined
    }
  },
}
