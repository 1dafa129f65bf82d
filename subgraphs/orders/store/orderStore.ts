import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { OrderFulfillmentStatus, OrderModel, OrderStatus } from '../models.ts'

const ORDER_COLUMNS = `o.id, o.number, o.customer_id as "customerId", o.status, o.fulfillment_status as "fulfillmentStatus",
  o.currency, o.country_code as "countryCode", o.placed_at as "placedAt",
  to_char(o.placed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "placedAtKey",
  o.subtotal, o.shipping_total as "shippingTotal", o.discount_total as "discountTotal", o.tax_total as "taxTotal", o.total,
  o.cancel_reason as "cancelReason", o.cancelled_at as "cancelledAt"`

/** Orders by id or by number. */
export async function ordersBy(db: Queryable, key: 'id' | 'number', values: readonly string[]): Promise<OrderModel[]> {
  const { rows } = await db.query<OrderModel>(`select ${ORDER_COLUMNS} from orders.orders o where o.${key} = any($1::text[])`, [values])
  return rows
}

/** Sort key of the orders connection, newest first: (placedAtKey, id). */
export type OrderKey = readonly [placedAtKey: string, id: string]

export interface OrderPageQuery {
  /** null: every customer's orders (staff) */
  readonly customerId: string | null
  readonly status: OrderStatus | null
  readonly placedAfter: Date | null
  readonly sku: string | null
  /** newer bound (exclusive): rows after this key in newest-first order */
  readonly after: OrderKey | null
  /** older bound (exclusive): rows before this key in newest-first order */
  readonly before: OrderKey | null
  /** true: newest first from `after`; false: oldest first from `before` */
  readonly forward: boolean
  readonly limit: number
}

/** One page of orders in the query's direction, `limit` rows at most. */
export async function orderPage(db: Queryable, query: OrderPageQuery): Promise<OrderModel[]> {
  // the direction is one of two constant spellings: only values travel as parameters
  const direction = query.forward ? 'desc' : 'asc'
  const { rows } = await db.query<OrderModel>(
    `select ${ORDER_COLUMNS} from orders.orders o
     where ($1::text is null or o.customer_id = $1)
       and ($2::text is null or o.status = $2)
       and ($3::timestamptz is null or o.placed_at > $3)
       and ($4::text is null or exists (select 1 from orders.line_items li where li.order_id = o.id and li.sku = $4))
       and ($5::timestamptz is null or (o.placed_at, o.id) < ($5::timestamptz, $6::text))
       and ($7::timestamptz is null or (o.placed_at, o.id) > ($7::timestamptz, $8::text))
     order by o.placed_at ${direction}, o.id ${direction}
     limit $9`,
    [
      query.customerId,
      query.status,
      query.placedAfter,
      query.sku,
      query.after?.[0] ?? null,
      query.after?.[1] ?? null,
      query.before?.[0] ?? null,
      query.before?.[1] ?? null,
      query.limit,
    ],
  )
  return rows
}

/**
 * The order, locked until the transaction ends: writers of one order's fulfillment, returns and
 * cancellation queue behind each other, so a cancelled order is never fulfilled after the fact.
 */
export async function lockOrder(tx: Queryable, id: string): Promise<OrderModel | null> {
  const { rows } = await tx.query<OrderModel>(`select ${ORDER_COLUMNS} from orders.orders o where o.id = $1 for update`, [id])
  return rows[0] ?? null
}

export interface NewOrder {
  readonly id: string
  readonly customerId: string
  readonly currency: string
  readonly countryCode: string
  readonly subtotal: bigint
  readonly taxTotal: bigint
  readonly total: bigint
}

/** Inserts an OPEN, UNFULFILLED order numbered from the order_numbers sequence. */
export async function insertOrder(tx: Queryable, order: NewOrder): Promise<OrderModel> {
  const { rows } = await tx.query<OrderModel>(
    `with inserted as (
       insert into orders.orders (id, number, customer_id, status, fulfillment_status, currency, country_code, placed_at, subtotal, tax_total, total)
       values ($1, '#' || nextval('orders.order_numbers'), $2, 'OPEN', 'UNFULFILLED', $3, $4, now(), $5, $6, $7)
       returning *
     )
     select ${ORDER_COLUMNS} from inserted o`,
    [order.id, order.customerId, order.currency, order.countryCode, order.subtotal.toString(), order.taxTotal.toString(), order.total.toString()],
  )
  const inserted = rows[0]
  if (!inserted) throw new Error(`order ${order.id} was not inserted`)
  return inserted
}

/** An order as it stands (the demo store's), number and totals included. */
export interface OrderRow {
  readonly id: string
  readonly number: string
  readonly customerId: string
  readonly status: OrderStatus
  readonly fulfillmentStatus: OrderFulfillmentStatus
  readonly currency: string
  readonly countryCode: string
  readonly placedAt: Date
  readonly subtotal: bigint
  readonly shippingTotal: bigint
  readonly discountTotal: bigint
  readonly taxTotal: bigint
  readonly total: bigint
  readonly capturedTotal: bigint
  readonly cancelReason: string | null
  readonly cancelledAt: Date | null
}

export async function insertOrders(db: Queryable, orders: readonly OrderRow[]): Promise<void> {
  await insertRows(db, 'orders.orders', orders, {
    id: 'text', number: 'text', customerId: 'text', status: 'text', fulfillmentStatus: 'text', currency: 'text', countryCode: 'text',
    placedAt: 'timestamptz', subtotal: 'bigint', shippingTotal: 'bigint', discountTotal: 'bigint', taxTotal: 'bigint', total: 'bigint',
    capturedTotal: 'bigint', cancelReason: 'text', cancelledAt: 'timestamptz',
  })
}

/** Moves the order number sequence past the highest number held, so new orders follow. */
export async function numberOrdersAfterExisting(db: Queryable): Promise<void> {
  await db.query(`select setval('orders.order_numbers', (select max(substr(number, 2)::bigint) from orders.orders))`)
}

/**
 * OPEN → CANCELLED, and its open fulfillment orders with it. Conditional: null when the order is
 * not OPEN (already cancelled or closed), so a redelivered or racing cause cancels it once.
 */
export async function cancelOrder(tx: Queryable, id: string, reason: string): Promise<OrderModel | null> {
  const { rows } = await tx.query<OrderModel>(
    `with cancelled as (
       update orders.orders set status = 'CANCELLED', cancel_reason = $2, cancelled_at = now()
       where id = $1 and status = 'OPEN' returning *
     ), fulfillment_orders as (
       update orders.fulfillment_orders set status = 'CANCELLED'
       where order_id in (select id from cancelled) and status in ('OPEN', 'ON_HOLD')
     )
     select ${ORDER_COLUMNS} from cancelled o`,
    [id, reason],
  )
  return rows[0] ?? null
}

/**
 * Derives the order's fulfillment status from its fulfillment order lines (shipped and returned
 * units), in the same statement, so it always agrees with the counters it summarizes.
 */
export async function refreshFulfillmentStatus(tx: Queryable, orderId: string): Promise<OrderFulfillmentStatus> {
  const { rows } = await tx.query<{ fulfillmentStatus: OrderFulfillmentStatus }>(
    `update orders.orders o set fulfillment_status = case
         when t.returned > 0 and t.returned = t.ordered then 'RETURNED'
         when t.returned > 0 then 'PARTIALLY_RETURNED'
         when t.fulfilled = 0 then 'UNFULFILLED'
         when t.fulfilled = t.ordered then 'FULFILLED'
         else 'PARTIALLY_FULFILLED' end
     from (
       select sum(l.quantity) as ordered, sum(l.fulfilled_quantity) as fulfilled, sum(l.returned_quantity) as returned
       from orders.fulfillment_order_lines l join orders.fulfillment_orders f on f.id = l.fulfillment_order_id
       where f.order_id = $1
     ) t
     where o.id = $1
     returning o.fulfillment_status as "fulfillmentStatus"`,
    [orderId],
  )
  const status = rows[0]?.fulfillmentStatus
  if (!status) throw new Error(`order ${orderId} is missing`)
  return status
}

/** Records what finance has captured so far (its running total, not a delta: replay-safe). */
export async function setCapturedTotal(tx: Queryable, orderId: string, capturedTotal: string): Promise<void> {
  await tx.query(`update orders.orders set captured_total = greatest(captured_total, $2::bigint) where id = $1`, [orderId, capturedTotal])
}

/** Adds a refund to what finance has given back on the order. */
export async function addRefunded(tx: Queryable, orderId: string, amount: string): Promise<void> {
  await tx.query(`update orders.orders set refunded_total = refunded_total + $2::bigint where id = $1`, [orderId, amount])
}

/**
 * OPEN → CLOSED when nothing is left to do: everything shipped and the total was captured, or
 * everything came back and all that was captured was refunded. Conditional, so it closes once;
 * returns the closed order or null.
 */
export async function closeIfSettled(tx: Queryable, orderId: string): Promise<OrderModel | null> {
  const { rows } = await tx.query<OrderModel>(
    `with closed as (
       update orders.orders set status = 'CLOSED'
       where id = $1 and status = 'OPEN' and (
         (fulfillment_status = 'FULFILLED' and captured_total >= total)
         or (fulfillment_status = 'RETURNED' and captured_total > 0 and refunded_total >= captured_total))
       returning *
     )
     select ${ORDER_COLUMNS} from closed o`,
    [orderId],
  )
  return rows[0] ?? null
}
