import type { Queryable } from '../../../platform/db.ts'

export async function ordersIsEmpty(db: Queryable): Promise<boolean> {
  const { rows } = await db.query(`select 1 from orders.orders limit 1`)
  return rows.length === 0
}

/** Empties every orders table, idempotency keys included. */
export async function clearOrders(db: Queryable): Promise<void> {
  // truncate, not delete: line items refuse row deletes (an immutable snapshot)
  await db.query(`truncate orders.order_timeline, orders.return_lines, orders.returns, orders.fulfillment_lines, orders.fulfillments,
    orders.fulfillment_order_lines, orders.fulfillment_orders, orders.line_items, orders.orders,
    orders.cart_lines, orders.carts, orders.catalog_prices, orders.tax_rates, orders.idempotency_keys cascade`)
}
