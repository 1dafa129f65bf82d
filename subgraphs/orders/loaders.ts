/**
 * One set of DataLoaders per request: every entity lookup and every list of children is batched
 * into one statement per tick, so a page of parents with their children costs a constant number
 * of queries. Loaders return rows whoever asks; ownership is checked where rows become results
 * (`visibleTo`), and a request has one viewer, so a cached row is never shared across viewers.
 */
import type DataLoader from 'dataloader'
import type { Queryable } from '../../platform/db.ts'
import { childrenLoader, perArguments, rowLoader } from '../../platform/loaders.ts'
import type {
  CartLineModel,
  CartModel,
  FulfillmentLineModel,
  FulfillmentModel,
  FulfillmentOrderModel,
  LineItemModel,
  OrderModel,
  OrderTimelineEventModel,
  ReturnLineModel,
  ReturnModel,
  TaxRateModel,
} from './models.ts'
import { cartLinesByCartIds, cartsByIds } from './store/cartStore.ts'
import { fulfillmentOrderLinesByIds, fulfillmentOrdersByIds, fulfillmentOrdersByOrderIds } from './store/fulfillmentOrderStore.ts'
import { fulfillmentLinesByIds, fulfillmentsByFulfillmentOrderIds, fulfillmentsByIds } from './store/fulfillmentStore.ts'
import { lineItemPagesByOrderIds, lineItemsByIds } from './store/lineItemStore.ts'
import { ordersByIds, ordersByNumbers } from './store/orderStore.ts'
import { returnLinesByReturnIds, returnsByIds, returnsByOrderIds } from './store/returnStore.ts'
import { taxRatesByCountries } from './store/taxRateStore.ts'
import { timelinesByOrderIds } from './store/timelineStore.ts'

export interface Loaders {
  readonly cartById: DataLoader<string, CartModel | null>
  readonly cartLinesByCartId: DataLoader<string, CartLineModel[]>
  readonly taxRateByCountry: DataLoader<string, TaxRateModel | null>
  readonly orderById: DataLoader<string, OrderModel | null>
  readonly orderByNumber: DataLoader<string, OrderModel | null>
  readonly timelineByOrderId: DataLoader<string, OrderTimelineEventModel[]>
  readonly lineItemById: DataLoader<string, LineItemModel | null>
  /** Per distinct page arguments: the first `limit + 1` line items after a position, per order. */
  lineItemPage(page: { readonly limit: number; readonly afterPosition: number }): DataLoader<string, LineItemModel[]>
  readonly fulfillmentOrderById: DataLoader<string, FulfillmentOrderModel | null>
  readonly fulfillmentOrdersByOrderId: DataLoader<string, FulfillmentOrderModel[]>
  readonly fulfillmentOrderLinesById: DataLoader<string, FulfillmentLineModel[]>
  readonly fulfillmentById: DataLoader<string, FulfillmentModel | null>
  readonly fulfillmentsByFulfillmentOrderId: DataLoader<string, FulfillmentModel[]>
  readonly fulfillmentLinesById: DataLoader<string, FulfillmentLineModel[]>
  readonly returnById: DataLoader<string, ReturnModel | null>
  readonly returnsByOrderId: DataLoader<string, ReturnModel[]>
  readonly returnLinesById: DataLoader<string, ReturnLineModel[]>
}

export function createLoaders(db: Queryable): Loaders {
  // an order found by one key is primed under the other, so that asking by both costs one lookup
  const orderById: DataLoader<string, OrderModel | null> = rowLoader(
    (ids) => ordersByIds(db, ids),
    (o) => o.id,
    (o) => orderByNumber.prime(o.number, o),
  )
  const orderByNumber: DataLoader<string, OrderModel | null> = rowLoader(
    (numbers) => ordersByNumbers(db, numbers),
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
    lineItemPage: perArguments(({ limit, afterPosition }) =>
      childrenLoader(
        (orderIds) => lineItemPagesByOrderIds(db, orderIds, afterPosition, limit + 1),
        (li) => li.orderId,
        // a reference to one of these line items later in the request is answered from here
        (li) => lineItemById.prime(li.id, li),
      ),
    ),
    fulfillmentOrderById: rowLoader((ids) => fulfillmentOrdersByIds(db, ids), (f) => f.id),
    fulfillmentOrdersByOrderId: childrenLoader((ids) => fulfillmentOrdersByOrderIds(db, ids), (f) => f.orderId),
    fulfillmentOrderLinesById: childrenLoader((ids) => fulfillmentOrderLinesByIds(db, ids), (l) => l.parentId),
    fulfillmentById: rowLoader((ids) => fulfillmentsByIds(db, ids), (f) => f.id),
    fulfillmentsByFulfillmentOrderId: childrenLoader((ids) => fulfillmentsByFulfillmentOrderIds(db, ids), (f) => f.fulfillmentOrderId),
    fulfillmentLinesById: childrenLoader((ids) => fulfillmentLinesByIds(db, ids), (l) => l.parentId),
    returnById: rowLoader((ids) => returnsByIds(db, ids), (r) => r.id),
    returnsByOrderId: childrenLoader((ids) => returnsByOrderIds(db, ids), (r) => r.orderId),
    returnLinesById: childrenLoader((ids) => returnLinesByReturnIds(db, ids), (l) => l.returnId),
  }
}
