/**
 * One set of DataLoaders per request: every entity lookup and every list of children is batched
 * into one statement per tick, so a page of parents with their children costs a constant number
 * of queries. Loaders return rows whoever asks; ownership is checked where rows become results
 * (ownership.ts), so that a cached row is never shared across viewers (a request has one viewer).
 */
import DataLoader from 'dataloader'
import type { Queryable } from '../../platform/db.ts'
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
  lineItemPage(limit: number, afterPosition: number): DataLoader<string, LineItemModel[]>
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

/** A loader of one row per key (null when missing); `found` sees every row loaded. */
function single<T>(
  load: (keys: readonly string[]) => Promise<T[]>,
  keyOf: (row: T) => string,
  found: (row: T) => void = () => {},
): DataLoader<string, T | null> {
  return new DataLoader(async (keys) => {
    const rows = await load(keys)
    rows.forEach(found)
    const byKey = new Map(rows.map((row) => [keyOf(row), row]))
    return keys.map((key) => byKey.get(key) ?? null)
  })
}

/** A loader of the list of children per parent key (empty when none), in the rows' order. */
function many<T>(
  load: (keys: readonly string[]) => Promise<T[]>,
  keyOf: (row: T) => string,
  found: (row: T) => void = () => {},
): DataLoader<string, T[]> {
  return new DataLoader(async (keys) => {
    const groups = new Map<string, T[]>(keys.map((key) => [key, []]))
    const rows = await load(keys)
    rows.forEach(found)
    for (const row of rows) groups.get(keyOf(row))?.push(row)
    return keys.map((key) => groups.get(key) ?? [])
  })
}

export function createLoaders(db: Queryable): Loaders {
  // an order found by one key is primed under the other, so that asking by both costs one lookup
  const orderById: DataLoader<string, OrderModel | null> = single(
    (ids) => ordersByIds(db, ids),
    (o) => o.id,
    (o) => orderByNumber.prime(o.number, o),
  )
  const orderByNumber: DataLoader<string, OrderModel | null> = single(
    (numbers) => ordersByNumbers(db, numbers),
    (o) => o.number,
    (o) => orderById.prime(o.id, o),
  )
  const lineItemById = single((ids) => lineItemsByIds(db, ids), (li) => li.id)
  const lineItemPages = new Map<string, DataLoader<string, LineItemModel[]>>()

  return {
    cartById: single((ids) => cartsByIds(db, ids), (c) => c.id),
    cartLinesByCartId: many((ids) => cartLinesByCartIds(db, ids), (l) => l.cartId),
    taxRateByCountry: single((codes) => taxRatesByCountries(db, codes), (t) => t.countryCode),
    orderById,
    orderByNumber,
    timelineByOrderId: many((ids) => timelinesByOrderIds(db, ids), (e) => e.orderId),
    lineItemById,
    lineItemPage(limit, afterPosition) {
      const key = `${limit}:${afterPosition}`
      let loader = lineItemPages.get(key)
      if (!loader) {
        loader = many(
          (orderIds) => lineItemPagesByOrderIds(db, orderIds, afterPosition, limit + 1),
          (li) => li.orderId,
          // a reference to one of these line items later in the request is answered from here
          (li) => lineItemById.prime(li.id, li),
        )
        lineItemPages.set(key, loader)
      }
      return loader
    },
    fulfillmentOrderById: single((ids) => fulfillmentOrdersByIds(db, ids), (f) => f.id),
    fulfillmentOrdersByOrderId: many((ids) => fulfillmentOrdersByOrderIds(db, ids), (f) => f.orderId),
    fulfillmentOrderLinesById: many((ids) => fulfillmentOrderLinesByIds(db, ids), (l) => l.parentId),
    fulfillmentById: single((ids) => fulfillmentsByIds(db, ids), (f) => f.id),
    fulfillmentsByFulfillmentOrderId: many((ids) => fulfillmentsByFulfillmentOrderIds(db, ids), (f) => f.fulfillmentOrderId),
    fulfillmentLinesById: many((ids) => fulfillmentLinesByIds(db, ids), (l) => l.parentId),
    returnById: single((ids) => returnsByIds(db, ids), (r) => r.id),
    returnsByOrderId: many((ids) => returnsByOrderIds(db, ids), (r) => r.orderId),
    returnLinesById: many((ids) => returnLinesByReturnIds(db, ids), (l) => l.returnId),
  }
}
