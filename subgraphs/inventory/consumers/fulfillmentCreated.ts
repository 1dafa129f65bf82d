import type { Queryable } from '../../../platform/db.ts'
import type { FulfillmentCreated } from '../../orders/events.ts'
import { fulfillAllocations } from '../store/allocationStore.ts'
import { applyLevelChangesOrThrow } from '../store/levelChangeStore.ts'
import { claimOrderDocument } from '../store/orderDocumentStore.ts'
import { ORDER_EVENTS_ACTOR } from './releaseHolds.ts'

/**
 * Shipped units leave COMMITTED at the fulfilling location (and so ON_HAND, which is derived), and
 * the allocations record them. A line that was not committed there is an invariant broken between
 * orders and inventory: throwing retries, then dead-letters the event for an operator.
 */
export async function applyFulfillmentCreated(tx: Queryable, fulfillment: FulfillmentCreated): Promise<void> {
  if (!(await claimOrderDocument(tx, 'FULFILLMENT', fulfillment.fulfillmentId, fulfillment.orderId))) return
  const perLine = new Map<string, number>()
  for (const line of fulfillment.lines) perLine.set(line.lineItemId, (perLine.get(line.lineItemId) ?? 0) + line.quantity)
  const shipped = await fulfillAllocations(tx, fulfillment.locationId, [...perLine].map(([lineItemId, quantity]) => ({ lineItemId, quantity })))
  if (shipped.length !== perLine.size) {
    const recorded = new Set(shipped.map((s) => s.lineItemId))
    const missing = [...perLine.keys()].filter((id) => !recorded.has(id))
    throw new Error(`fulfillment ${fulfillment.fulfillmentId} ships units not committed at ${fulfillment.locationId}: lines ${missing.join(', ')}`)
  }
  await applyLevelChangesOrThrow(tx, {
    reason: 'FULFILLMENT',
    referenceDocumentUri: `gid://orders/Fulfillment/${fulfillment.fulfillmentId}`,
    actor: ORDER_EVENTS_ACTOR,
    changes: shipped.map((s) => ({ sku: s.sku, locationId: fulfillment.locationId, name: 'COMMITTED' as const, delta: -s.quantity })),
  })
}
