import type { Database, Queryable } from '../../platform/db.ts'
import { buildWorld, type World, type WorldOrder } from '../../seed/world.ts'

const DAY = 86_400_000
const HOUR = 3_600_000

/** Where the demo store's fulfillment orders and fulfillments get their ids. */
export const fulfillmentOrderIdOf = (order: Pick<WorldOrder, 'id'>) => order.id.replace(/^ord_/, 'fo_')
export const fulfillmentIdOf = (order: Pick<WorldOrder, 'id'>) => order.id.replace(/^ord_/, 'ful_')
/** The demo store's cancelled orders were voided by the store an hour after they were placed. */
const CANCEL_REASON = 'Cancelled by the store; payment voided'
const cancelledAtOf = (order: Pick<WorldOrder, 'placedAt'>) => new Date(order.placedAt.getTime() + HOUR)
/** A fulfilled order shipped the day after it was placed. */
export const isFulfilled = (order: Pick<WorldOrder, 'fulfillmentStatus'>) => order.fulfillmentStatus === 'FULFILLED'

/**
 * Writes orders' part of the demo store (carts, orders and their fulfillment, tax rates, and the
 * copy of catalog's current prices) in one transaction, one batched statement per table.
 */
export async function seedOrders(db: Database, { reset }: { reset: boolean }): Promise<void> {
  const world = buildWorld()
  await db.transaction(async (tx) => {
    if (reset) {
      // truncate, not delete: line items refuse row deletes (an immutable snapshot)
      await tx.query(`truncate orders.order_timeline, orders.return_lines, orders.returns, orders.fulfillment_lines, orders.fulfillments,
        orders.fulfillment_order_lines, orders.fulfillment_orders, orders.line_items, orders.orders,
        orders.cart_lines, orders.carts, orders.catalog_prices, orders.tax_rates, orders.idempotency_keys cascade`)
    } else {
      const { rowCount } = await tx.query(`select 1 from orders.orders limit 1`)
      if (rowCount > 0) return
    }
    await seedTaxRatesAndPrices(tx, world)
    await seedCarts(tx, world)
    await seedOrderRows(tx, world)
    await seedFulfillment(tx, world)
    await seedTimeline(tx, world)
  })
}

async function seedTaxRatesAndPrices(tx: Queryable, world: World): Promise<void> {
  const rates = world.taxRates
  await tx.query(
    `insert into orders.tax_rates (country_code, title, rate, prices_include_tax)
     select * from unnest($1::text[], $2::text[], $3::numeric[], $4::boolean[])`,
    [rates.map((r) => r.countryCode), rates.map((r) => r.title), rates.map((r) => r.rate), rates.map((r) => r.pricesIncludeTax)],
  )
  const variants = new Map(world.variants.map((v) => [v.sku, v]))
  const products = new Map(world.products.map((p) => [p.id, p]))
  const prices = world.prices
    .filter((p) => p.validFrom === null)
    .map((p) => {
      const variant = variants.get(p.sku)
      const product = variant && products.get(variant.productId)
      if (!variant || !product) throw new Error(`world price ${p.id} has no variant or product`)
      return { ...p, variantTitle: variant.title, productTitle: product.title }
    })
  await tx.query(
    `insert into orders.catalog_prices (sku, currency, variant_title, product_title, amount, tax_included)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::boolean[])`,
    [
      prices.map((p) => p.sku),
      prices.map((p) => p.currency),
      prices.map((p) => p.variantTitle),
      prices.map((p) => p.productTitle),
      prices.map((p) => p.amount.toString()),
      prices.map((p) => p.taxIncluded),
    ],
  )
}

async function seedCarts(tx: Queryable, world: World): Promise<void> {
  const carts = world.carts
  await tx.query(
    `insert into orders.carts (id, customer_id, currency, country_code, created_at, expires_at)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])`,
    [
      carts.map((c) => c.id),
      carts.map((c) => c.customerId),
      carts.map((c) => c.currency),
      carts.map((c) => c.countryCode),
      carts.map((c) => c.createdAt.toISOString()),
      carts.map((c) => c.expiresAt.toISOString()),
    ],
  )
  const lines = carts.flatMap((c) => c.lines.map((l) => ({ ...l, cartId: c.id })))
  await tx.query(
    `insert into orders.cart_lines (id, cart_id, sku, quantity)
     select id, cart_id, sku, quantity from unnest($1::text[], $2::text[], $3::text[], $4::int[]) with ordinality as t(id, cart_id, sku, quantity, n)
     order by n`,
    [lines.map((l) => l.id), lines.map((l) => l.cartId), lines.map((l) => l.sku), lines.map((l) => l.quantity)],
  )
}

async function seedOrderRows(tx: Queryable, world: World): Promise<void> {
  const orders = world.orders
  const money = (pick: (o: WorldOrder) => bigint) => orders.map((o) => pick(o).toString())
  await tx.query(
    `insert into orders.orders (id, number, customer_id, status, fulfillment_status, currency, country_code, placed_at,
       subtotal, shipping_total, discount_total, tax_total, total, captured_total, cancel_reason, cancelled_at)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[],
       $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::text[], $16::timestamptz[])`,
    [
      orders.map((o) => o.id),
      orders.map((o) => o.number),
      orders.map((o) => o.customerId),
      orders.map((o) => o.status),
      orders.map((o) => o.fulfillmentStatus),
      orders.map((o) => o.currency),
      orders.map((o) => o.countryCode),
      orders.map((o) => o.placedAt.toISOString()),
      money((o) => o.subtotal),
      money((o) => o.shippingTotal),
      money((o) => o.discountTotal),
      money((o) => o.taxTotal),
      money((o) => o.total),
      money((o) => (o.financialStatus === 'PAID' ? o.total : 0n)),
      orders.map((o) => (o.status === 'CANCELLED' ? CANCEL_REASON : null)),
      orders.map((o) => (o.status === 'CANCELLED' ? cancelledAtOf(o).toISOString() : null)),
    ],
  )
  // checkout numbers new orders after the demo store's
  await tx.query(`select setval('orders.order_numbers', (select max(substr(number, 2)::bigint) from orders.orders))`)

  const items = orders.flatMap((o) => o.lineItems.map((li, i) => ({ ...li, orderId: o.id, position: i + 1 })))
  await tx.query(
    `insert into orders.line_items (id, order_id, position, sku, title, quantity, unit_price, discount_total, tax_lines, total)
     select id, order_id, position, sku, title, quantity, unit_price, 0, tax_lines, total
     from unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::int[], $7::bigint[], $8::jsonb[], $9::bigint[])
       as t(id, order_id, position, sku, title, quantity, unit_price, tax_lines, total)`,
    [
      items.map((li) => li.id),
      items.map((li) => li.orderId),
      items.map((li) => li.position),
      items.map((li) => li.sku),
      items.map((li) => li.title),
      items.map((li) => li.quantity),
      items.map((li) => li.unitPrice.toString()),
      items.map((li) => JSON.stringify(li.taxLines.map((t) => ({ title: t.title, rate: t.rate, amount: t.amount.toString() })))),
      items.map((li) => li.total.toString()),
    ],
  )
}

/**
 * One fulfillment order per order, at the location its units were committed at; a fulfilled
 * order also has the one fulfillment that shipped all of it.
 */
async function seedFulfillment(tx: Queryable, world: World): Promise<void> {
  const orders = world.orders
  await tx.query(
    `insert into orders.fulfillment_orders (id, order_id, assigned_location_id, status, created_at)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])`,
    [
      orders.map(fulfillmentOrderIdOf),
      orders.map((o) => o.id),
      orders.map((o) => o.lineItems[0]?.locationId ?? null),
      orders.map((o) => (o.status === 'CANCELLED' ? 'CANCELLED' : isFulfilled(o) ? 'CLOSED' : 'OPEN')),
      orders.map((o) => o.placedAt.toISOString()),
    ],
  )
  const lines = orders.flatMap((o) =>
    o.lineItems.map((li) => ({ parentId: fulfillmentOrderIdOf(o), lineItemId: li.id, quantity: li.quantity, fulfilled: li.fulfilledQuantity })),
  )
  await tx.query(
    `insert into orders.fulfillment_order_lines (fulfillment_order_id, line_item_id, quantity, fulfilled_quantity)
     select * from unnest($1::text[], $2::text[], $3::int[], $4::int[])`,
    [lines.map((l) => l.parentId), lines.map((l) => l.lineItemId), lines.map((l) => l.quantity), lines.map((l) => l.fulfilled)],
  )

  const shipped = orders.filter(isFulfilled)
  await tx.query(
    `insert into orders.fulfillments (id, fulfillment_order_id, created_at, carrier, tracking_number)
     select * from unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[])`,
    [
      shipped.map(fulfillmentIdOf),
      shipped.map(fulfillmentOrderIdOf),
      shipped.map((o) => new Date(o.placedAt.getTime() + DAY).toISOString()),
      shipped.map((o) => (o.currency === 'EUR' ? 'DHL' : 'UPS')),
      shipped.map((o) => `TRK${o.number.slice(1).padStart(10, '0')}`),
    ],
  )
  const shippedLines = shipped.flatMap((o) => o.lineItems.map((li) => ({ parentId: fulfillmentIdOf(o), lineItemId: li.id, quantity: li.fulfilledQuantity })))
  await tx.query(
    `insert into orders.fulfillment_lines (fulfillment_id, line_item_id, quantity)
     select * from unnest($1::text[], $2::text[], $3::int[])`,
    [shippedLines.map((l) => l.parentId), shippedLines.map((l) => l.lineItemId), shippedLines.map((l) => l.quantity)],
  )
}

/** What happened to each demo order, as its timeline tells it: placed, then shipped or cancelled. */
async function seedTimeline(tx: Queryable, world: World): Promise<void> {
  const entries = world.orders.flatMap((o) => [
    { orderId: o.id, type: 'PLACED', at: o.placedAt, message: `Order ${o.number} placed` },
    ...(o.status === 'CANCELLED' ? [{ orderId: o.id, type: 'CANCELLED', at: cancelledAtOf(o), message: `Order ${o.number} cancelled: ${CANCEL_REASON}` }] : []),
    ...(isFulfilled(o)
      ? [
          { orderId: o.id, type: 'FULFILLMENT_CREATED', at: new Date(o.placedAt.getTime() + DAY), message: `Shipped from ${o.lineItems[0]?.locationId}` },
          { orderId: o.id, type: 'CLOSED', at: new Date(o.placedAt.getTime() + DAY), message: `Order ${o.number} closed: everything shipped and was paid` },
        ]
      : []),
  ])
  await tx.query(
    `insert into orders.order_timeline (order_id, type, occurred_at, message)
     select order_id, type, occurred_at, message
     from unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[]) with ordinality as t(order_id, type, occurred_at, message, n)
     order by n`,
    [entries.map((e) => e.orderId), entries.map((e) => e.type), entries.map((e) => e.at.toISOString()), entries.map((e) => e.message)],
  )
}
