import type { Database, Queryable } from '../../platform/db.ts'
import { buildWorld, type World, type WorldOrder } from '../../seed/world.ts'
import type { CatalogPriceModel } from './models.ts'
import { insertCarts } from './store/cartStore.ts'
import { insertCatalogPrices } from './store/catalogPriceStore.ts'
import { insertFulfillmentOrders } from './store/fulfillmentOrderStore.ts'
import { insertFulfillments } from './store/fulfillmentStore.ts'
import { insertLineItems } from './store/lineItemStore.ts'
import { insertOrders, numberOrdersAfterExisting } from './store/orderStore.ts'
import { emptyForSeed } from './store/seedStore.ts'
import { insertTaxRates } from './store/taxRateStore.ts'
import { insertTimeline } from './store/timelineStore.ts'

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
const shippedAtOf = (order: Pick<WorldOrder, 'placedAt'>) => new Date(order.placedAt.getTime() + DAY)

/** Where a demo order's units were committed (all of them at one location). */
function locationOf(order: WorldOrder): string {
  const locationId = order.lineItems[0]?.locationId
  if (!locationId) throw new Error(`world order ${order.id} has no line items`)
  return locationId
}

/**
 * Writes orders' part of the demo store (carts, orders and their fulfillment, tax rates, and the
 * copy of catalog's current prices) in one transaction, one batched statement per table.
 */
export async function seedOrders(db: Database, { reset }: { reset: boolean }): Promise<void> {
  const world = buildWorld()
  await db.transaction(async (tx) => {
    if (!(await emptyForSeed(tx, reset))) return
    await insertTaxRates(tx, world.taxRates)
    await insertCatalogPrices(tx, currentPrices(world))
    await insertCarts(tx, world.carts)
    await insertOrders(
      tx,
      world.orders.map((o) => ({
        ...o,
        capturedTotal: o.financialStatus === 'PAID' ? o.total : 0n,
        cancelReason: o.status === 'CANCELLED' ? CANCEL_REASON : null,
        cancelledAt: o.status === 'CANCELLED' ? cancelledAtOf(o) : null,
      })),
    )
    // checkout numbers new orders after the demo store's
    await numberOrdersAfterExisting(tx)
    await insertLineItems(
      tx,
      world.orders.flatMap((o) => o.lineItems.map((li, i) => ({ ...li, orderId: o.id, position: i + 1, reservationId: null }))),
    )
    await seedFulfillment(tx, world)
    await insertTimeline(tx, timelineOf(world))
  })
}

/** Catalog's open-ended prices: what a cart is charged today. */
function currentPrices(world: World): CatalogPriceModel[] {
  const variants = new Map(world.variants.map((v) => [v.sku, v]))
  const products = new Map(world.products.map((p) => [p.id, p]))
  return world.prices
    .filter((p) => p.validFrom === null)
    .map((p) => {
      const variant = variants.get(p.sku)
      const product = variant && products.get(variant.productId)
      if (!variant || !product) throw new Error(`world price ${p.id} has no variant or product`)
      const { sku, currency, amount, taxIncluded } = p
      return { sku, currency, variantTitle: variant.title, productTitle: product.title, amount: amount.toString(), taxIncluded }
    })
}

/**
 * One fulfillment order per order, at the location its units were committed at; a fulfilled
 * order also has the one fulfillment that shipped all of it.
 */
async function seedFulfillment(tx: Queryable, world: World): Promise<void> {
  await insertFulfillmentOrders(
    tx,
    world.orders.map((o) => ({
      id: fulfillmentOrderIdOf(o),
      orderId: o.id,
      assignedLocationId: locationOf(o),
      status: o.status === 'CANCELLED' ? 'CANCELLED' : isFulfilled(o) ? 'CLOSED' : 'OPEN',
      createdAt: o.placedAt,
      lines: o.lineItems.map((li) => ({ lineItemId: li.id, quantity: li.quantity, fulfilledQuantity: li.fulfilledQuantity })),
    })),
  )
  await insertFulfillments(
    tx,
    world.orders.filter(isFulfilled).map((o) => ({
      id: fulfillmentIdOf(o),
      fulfillmentOrderId: fulfillmentOrderIdOf(o),
      createdAt: shippedAtOf(o),
      carrier: o.currency === 'EUR' ? 'DHL' : 'UPS',
      trackingNumber: `TRK${o.number.slice(1).padStart(10, '0')}`,
      lines: o.lineItems.map((li) => ({ lineItemId: li.id, quantity: li.fulfilledQuantity })),
    })),
  )
}

/** What happened to each demo order, as its timeline tells it: placed, then shipped or cancelled. */
function timelineOf(world: World) {
  return world.orders.flatMap((o) => [
    { orderId: o.id, type: 'PLACED' as const, occurredAt: o.placedAt, message: `Order ${o.number} placed` },
    ...(o.status === 'CANCELLED'
      ? [{ orderId: o.id, type: 'CANCELLED' as const, occurredAt: cancelledAtOf(o), message: `Order ${o.number} cancelled: ${CANCEL_REASON}` }]
      : []),
    ...(isFulfilled(o)
      ? [
          { orderId: o.id, type: 'FULFILLMENT_CREATED' as const, occurredAt: shippedAtOf(o), message: `Shipped from ${locationOf(o)}` },
          { orderId: o.id, type: 'CLOSED' as const, occurredAt: shippedAtOf(o), message: `Order ${o.number} closed: everything shipped and was paid` },
        ]
      : []),
  ])
}
