import { randomUUID } from 'node:crypto'
import type { Database } from '../../platform/db.ts'
import type { EventEnvelope } from '../../platform/events.ts'
import type { SubgraphName } from '../../platform/subgraphRegistry.ts'
import { cartTotals } from './mutations/cartTotals.ts'
import { validateCheckout } from './mutations/checkoutValidation.ts'
import { placeOrder } from './mutations/placeOrder.ts'
import { cartLinesByCartIds, cartsByIds } from './store/cartStore.ts'
import { taxRatesByCountries } from './store/taxRateStore.ts'

/** Test helpers shared by this subgraph's test files. */

/**
 * Places an order from a seeded cart the way checkout's transaction does, with made-up
 * reservations (`res_<cartId>_<n>` at `locationId`) instead of a call to inventory.
 */
export async function placeTestOrder(db: Database, cartId: string, locationId = 'loc_wh_east'): Promise<string> {
  const [cart] = await cartsByIds(db, [cartId])
  if (!cart) throw new Error(`no cart ${cartId}`)
  const [lines, [taxRate]] = await Promise.all([cartLinesByCartIds(db, [cartId]), taxRatesByCountries(db, [cart.countryCode])])
  const total = cartTotals(lines, taxRate ?? null).total.toString()
  const validation = await validateCheckout(db, cart.customerId, { cartId, paymentMethodToken: 'tok_visa', expectedTotal: { minorUnits: total, currency: cart.currency } })
  if (validation.kind !== 'valid') throw new Error(JSON.stringify(validation.userErrors))
  const reservations = validation.snapshot.lines.map((line, i) => ({
    id: `res_${cartId}_${i + 1}`, sku: line.sku, quantity: line.quantity, locationId, status: 'ACTIVE' as const,
  }))
  const placed = await db.transaction((tx) => placeOrder(tx, validation.snapshot, reservations, 'tok_visa'))
  if (!placed.orderId) throw new Error(JSON.stringify(placed.userErrors))
  return placed.orderId
}

export function envelope<P>(source: SubgraphName, aggregateType: string, type: string, aggregateId: string, payload: P): EventEnvelope<P> {
  return { id: randomUUID(), type, source, aggregateType, aggregateId, sequence: 1, occurredAt: new Date().toISOString(), traceContext: {}, payload }
}
