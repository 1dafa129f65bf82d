/**
 * One set of DataLoaders per request: every entity lookup and every list of children is batched
 * into one statement per tick, so a page of parents with their children costs a constant number
 * of queries. Loaders return rows whoever asks; ownership is checked where rows become results
 * (`visibleTo`), and a request has one viewer, so a cached row is never shared across viewers.
 */
import type DataLoader from 'dataloader'
import type { Queryable } from '../../platform/db.ts'
import { childrenLoader, perArguments, rowLoader } from '../../platform/loaders.ts'
import type { OrderModel } from './models.ts'
import { cartLinesByCartIds, cartsByIds } from './store/cartStore.ts'
import { fulfillmentOrdersBy } from './store/fulfillmentOrderStore.ts'
import { fulfillmentsBy } from './store/fulfillmentStore.ts'
import { lineItemPagesByOrderIds, lineItemsByIds, linesWithLineItems } from './store/lineItemStore.ts'
import { ordersBy } from './store/orderStore.ts'
import { returnsBy } from './store/returnStore.ts'
import { taxRatesByCountries } from './store/taxRateStore.ts'
import { timelinesByOrderIds } from './store/timelineStore.ts'

export type Loaders = ReturnType<typeof createLoaders>

export function createLoaders(db: Queryable) {
  // an order found by one key is primed under the other, so that asking by both costs one lookup
  const orderById: DataLoader<string, OrderModel | null> = rowLoader(
    (ids) => ordersBy(db, 'id', ids),
    (o) => o.id,
    (o) => orderByNumber.prime(o.number, o),
  )
  const orderByNumber: DataLoader<string, OrderModel | null> = rowLoader(
    (numbers) => ordersBy(db, 'number', numbers),
    (o) => o.number,
    (o) => orderById.prime(o.id, o),
  )
  const lineItemById = rowLoader((ids) => lineItemsByIds(db, ids), (li) => li.id)

  return {
    cartById: rowLoader((ids) => cartsByIds(db, ids), (c) => c.id),
    cartLinesByCartId: childrenLoader((ids) => cartLinesByCartIds(db, ids), (l) => l.cartId),
    taxRateByCountry: rowLoader((codes) => taxRatesByCountries(db, codes), (t) => t.countryCode),
    orderById,
    orderByNumber,
    timelineByOrderId: childrenLoader((ids) => timelinesByOrderIds(db, ids), (e) => e.orderId),
    lineItemById,
    /** Per distinct page arguments: the first `limit + 1` line items after a position, per order. */
    lineItemPage: perArguments(({ limit, afterPosition }: { readonly limit: number; readonly afterPosition: number }) =>
      childrenLoader(
        (orderIds) => lineItemPagesByOrderIds(db, orderIds, afterPosition, limit + 1),
        (li) => li.orderId,
        // a reference to one of these line items later in the request is answered from here
        (li) => lineItemById.prime(li.id, li),
      ),
    ),
    fulfillmentOrderById: rowLoader((ids) => fulfillmentOrdersBy(db, 'id', ids), (f) => f.id),
    fulfillmentOrdersByOrderId: childrenLoader((ids) => fulfillmentOrdersBy(db, 'order_id', ids), (f) => f.orderId),
    fulfillmentOrderLinesById: childrenLoader((ids) => linesWithLineItems(db, 'fulfillmentOrder', ids), (l) => l.parentId),
    fulfillmentById: rowLoader((ids) => fulfillmentsBy(db, 'id', ids), (f) => f.id),
    fulfillmentsByFulfillmentOrderId: childrenLoader((ids) => fulfillmentsBy(db, 'fulfillment_order_id', ids), (f) => f.fulfillmentOrderId),
    fulfillmentLinesById: childrenLoader((ids) => linesWithLineItems(db, 'fulfillment', ids), (l) => l.parentId),
    returnById: rowLoader((ids) => returnsBy(db, 'id', ids), (r) => r.id),
    returnsByOrderId: childrenLoader((ids) => returnsBy(db, 'order_id', ids), (r) => r.orderId),
    returnLinesById: childrenLoader((ids) => linesWithLineItems(db, 'return', ids), (l) => l.returnId),
  }
}
