import type { EventHandler } from '../../../platform/consumer.ts'
import type { InventoryEvents } from '../../inventory/events.ts'
import { cancelOpenOrder } from '../mutations/orderLifecycle.ts'
import { ordersBy } from '../store/orderStore.ts'

/**
 * Inventory could not turn an order's reservations into committed stock (they expired or were
 * released before OrderPlaced reached it): the order cannot ship, so it is cancelled like a
 * declined payment, and OrderCancelled tells finance to void and inventory to release.
 */
export const inventoryEvents: EventHandler<InventoryEvents, 'AllocationFailed'> = {
  name: 'orders.inventory-events',
  subjects: ['commerce.inventory.Order.AllocationFailed'],
  apply: async (tx, { payload }) => {
    const [order] = await ordersBy(tx, 'id', [payload.orderId])
    if (!order) return
    await cancelOpenOrder(tx, order.id, payload.reason)
  },
}
