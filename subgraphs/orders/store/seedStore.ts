import type { Queryable } from '../../../platform/db.ts'

/**
 * Whether the demo store is to be written: when orders holds nothing, after emptying every orders
 * table (idempotency keys included) first when `reset`.
 */
export async function emptyForSeed(db: Queryable, reset: boolean): Promise<boolean> {
  // truncate, not delete: line items refuse row deletes (an immutable snapshot)
  if (reset) {
    await db.query(`truncate orders.order_timeline, orders.return_lines, orders.returns, orders.fulfillment_lines, orders.fulfillments,
      orders.fulfillment_order_lines, orders.fulfillment_orders, orders.line_items, orders.orders,
      orders.cart_lines, orders.carts, orders.catalog_prices, orders.tax_rates, orders.idempotency_keys cascade`)
  }
  const { rows } = await db.query(`select 1 from orders.orders limit 1`)
  return rows.length === 0
}
