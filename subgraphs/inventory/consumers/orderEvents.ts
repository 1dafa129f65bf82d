import type { EventHandler } from '../../../platform/consumer.ts'
import type { OrdersEvents } from '../../orders/events.ts'
import { applyFulfillmentCreated } from './fulfillmentCreated.ts'
import { applyOrderCancelled } from './orderCancelled.ts'
import { applyOrderPlaced } from './orderPlaced.ts'
import { applyReturnCreated } from './returnCreated.ts'

/**
 * Inventory's part of the order flow. Every effect goes through applyLevelChanges (so it is in the
 * ledger and emits StockLevelChanged) and claims its order document first, so it applies once even
 * apart from the consumer's processed-event record. Other order events carry no stock effect.
 */
export const orderEventsHandler: EventHandler<OrdersEvents> = {
  name: 'inventory.order-events',
  subjects: ['commerce.orders.>'],
  types: ['OrderPlaced', 'OrderCancelled', 'FulfillmentCreated', 'ReturnCreated'],
  async apply(tx, event) {
    // type names as literals, checked against orders' event map: only its types are imported, never its code
    switch (event.type) {
      case 'OrderPlaced':
        return applyOrderPlaced(tx, event.payload)
      case 'OrderCancelled':
        return applyOrderCancelled(tx, event.payload)
      case 'FulfillmentCreated':
        return applyFulfillmentCreated(tx, event.payload)
      case 'ReturnCreated':
        return applyReturnCreated(tx, event.payload)
      default:
        return undefined
    }
  },
}
