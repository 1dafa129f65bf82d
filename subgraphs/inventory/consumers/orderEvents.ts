import type { EventHandler } from '../../../platform/consumer.ts'
import type { OrdersEvents } from '../../orders/events.ts'
import { dayOfInstant } from '../demand.ts'
import { applyFulfillmentCreated } from './fulfillmentCreated.ts'
import { applyOrderCancelled } from './orderCancelled.ts'
import { applyOrderPlaced } from './orderPlaced.ts'
import { recordDemand } from './recordDemand.ts'
import { applyReturnCreated } from './returnCreated.ts'

/**
 * Inventory's part of the order flow. Every effect goes through applyLevelChanges (so it is in the
 * ledger and emits StockLevelChanged) and claims its order document first, so it applies once even
 * apart from the consumer's processed-event record. Other order events carry no stock effect.
 * Placements, cancellations and restocked returns also move the demand of the levels they touch
 * (recordDemand), in the same transaction, on the UTC day the event occurred.
 */
export const orderEventsHandler: EventHandler<OrdersEvents> = {
  name: 'inventory.order-events',
  subjects: ['commerce.orders.>'],
  types: ['OrderPlaced', 'OrderCancelled', 'FulfillmentCreated', 'ReturnCreated'],
  async apply(tx, event) {
    // type names as literals, checked against orders' event map: only its types are imported, never its code
    const day = dayOfInstant(event.occurredAt)
    switch (event.type) {
      case 'OrderPlaced':
        return recordDemand(tx, await applyOrderPlaced(tx, event.payload, day), day)
      case 'OrderCancelled':
        return recordDemand(tx, await applyOrderCancelled(tx, event.payload), day)
      case 'FulfillmentCreated':
        return applyFulfillmentCreated(tx, event.payload)
      case 'ReturnCreated':
        return recordDemand(tx, await applyReturnCreated(tx, event.payload), day)
      default:
        return undefined
    }
  },
}
