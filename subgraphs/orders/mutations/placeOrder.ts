import { randomUUID } from 'node:crypto'
import type { Queryable } from '../../../platform/db.ts'
import { formatMoney } from '../formatMoney.ts'
import type { InventoryReservation } from '../inventoryClient.ts'
import { kit } from '../kit.ts'
import type { CheckoutCompletePayloadModel } from '../models.ts'
import { cartLineQuantities, markCartCheckedOut } from '../store/cartStore.ts'
import { insertFulfillmentOrders } from '../store/fulfillmentOrderStore.ts'
import { insertLineItems } from '../store/lineItemStore.ts'
import { insertOrder } from '../store/orderStore.ts'
import { appendTimeline } from '../store/timelineStore.ts'
import type { CheckoutSnapshot } from './checkoutValidation.ts'

const refused = (message: string): CheckoutCompletePayloadModel => ({ orderId: null, userErrors: [kit.userError('INVALID', ['input', 'cartId'], message)] })

/**
 * Checkout's transaction: the cart becomes an order whose lines are held by `reservations` (one
 * per line), with one fulfillment order per reserving location, a PLACED timeline entry and
 * `OrderPlaced` in the outbox. A userError here rolls everything back and the caller releases
 * the reservations.
 */
export async function placeOrder(
  tx: Queryable,
  snapshot: CheckoutSnapshot,
  reservations: readonly InventoryReservation[],
  paymentMethodToken: string,
): Promise<CheckoutCompletePayloadModel> {
  // the conditional update locks the cart, so that lines cannot be added between the comparison
  // below and the commit; it finds no row for a cart that is gone or already checked out
  if (!(await markCartCheckedOut(tx, snapshot.cartId))) return refused('This cart has already been checked out')
  // a statement of its own, after the lock: it sees lines a concurrent cartLinesAdd committed
  const current = await cartLineQuantities(tx, snapshot.cartId)
  const unchanged =
    current.length === snapshot.lines.length &&
    current.every((line) => snapshot.lines.some((s) => s.sku === line.sku && s.quantity === line.quantity))
  if (!unchanged) return refused('The cart changed during checkout; review it and check out again')

  const reservationOf = new Map(reservations.map((r) => [r.sku, r]))
  const lines = snapshot.lines.map((line) => {
    const reservation = reservationOf.get(line.sku)
    // inventory reserves every line or none: a gap is a broken contract, not the shopper's problem
    if (!reservation || reservation.quantity !== line.quantity) throw new Error(`inventory returned no matching reservation for ${line.sku}`)
    return { ...line, id: `li_${randomUUID()}`, reservationId: reservation.id, locationId: reservation.locationId }
  })

  const order = await insertOrder(tx, {
    id: `ord_${randomUUID()}`,
    customerId: snapshot.customerId,
    currency: snapshot.currency,
    countryCode: snapshot.countryCode,
    subtotal: snapshot.subtotal,
    taxTotal: snapshot.taxTotal,
    total: snapshot.total,
  })
  await insertLineItems(tx, lines.map((line, i) => ({ ...line, orderId: order.id, position: i + 1 })))
  const locations = [...new Set(lines.map((line) => line.locationId))]
  await insertFulfillmentOrders(
    tx,
    locations.map((locationId) => ({
      id: `fo_${randomUUID()}`,
      orderId: order.id,
      assignedLocationId: locationId,
      status: 'OPEN',
      createdAt: null,
      lines: lines
        .filter((line) => line.locationId === locationId)
        .map((line) => ({ lineItemId: line.id, quantity: line.quantity, fulfilledQuantity: 0 })),
    })),
  )
  await appendTimeline(tx, order.id, [{ type: 'PLACED', message: `Order ${order.number} placed for ${formatMoney(snapshot.total, snapshot.currency)}` }])
  await kit.publish(tx, {
    type: 'OrderPlaced',
    aggregateId: order.id,
    payload: {
      orderId: order.id,
      number: order.number,
      customerId: order.customerId,
      currency: order.currency,
      countryCode: order.countryCode,
      placedAt: order.placedAt.toISOString(),
      paymentMethodToken,
      subtotal: order.subtotal,
      taxTotal: order.taxTotal,
      shippingTotal: order.shippingTotal,
      discountTotal: order.discountTotal,
      total: order.total,
      pricesIncludeTax: snapshot.pricesIncludeTax,
      lines: lines.map((line) => ({
        lineItemId: line.id,
        sku: line.sku,
        title: line.title,
        quantity: line.quantity,
        unitPrice: line.unitPrice.toString(),
        taxLines: line.taxLines.map((t) => ({ title: t.title, rate: t.rate, amount: t.amount.toString() })),
        total: line.total.toString(),
        reservationId: line.reservationId,
        locationId: line.locationId,
      })),
    },
  })
  return { orderId: order.id, userErrors: [] }
}
