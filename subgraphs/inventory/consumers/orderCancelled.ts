import type { Queryable } from '../../../platform/db.ts'
import type { OrderCancelled } from '../../orders/events.ts'
import { cancelAllocations } from '../store/allocationStore.ts'
import { applyLevelChangesOrThrow, type LevelChange } from '../store/levelChangeStore.ts'
import { claimOrderDocument } from '../store/orderDocumentStore.ts'
import type { DemandBooking } from './recordDemand.ts'
import { ORDER_EVENTS_ACTOR, orderUri, releaseHolds } from './releaseHolds.ts'

/**
 * Gives a cancelled order's stock back to AVAILABLE: holds still ACTIVE are released (RESERVED →
 * AVAILABLE) and the unshipped units of its allocations return (COMMITTED → AVAILABLE). Both are
 * conditional (reservation status, allocation rows), so nothing is given back twice.
 *
 * Returns the demand it takes back: the units that had not shipped, on the day the order was
 * placed (that demand never was); shipped units stay demand, and a hold never committed was none.
 */
export async function applyOrderCancelled(tx: Queryable, cancellation: OrderCancelled): Promise<DemandBooking[]> {
  if (!(await claimOrderDocument(tx, 'ORDER_CANCELLED', cancellation.orderId, cancellation.orderId))) return []
  const holds = await releaseHolds(tx, cancellation.lines.map((l) => l.reservationId))
  const returned = await cancelAllocations(tx, [...new Set(cancellation.lines.map((l) => l.lineItemId))])
  const changes: LevelChange[] = [
    ...holds,
    ...returned.flatMap((a) => [
      { sku: a.sku, locationId: a.locationId, name: 'COMMITTED' as const, delta: -a.units },
      { sku: a.sku, locationId: a.locationId, name: 'AVAILABLE' as const, delta: a.units },
    ]),
  ]
  if (changes.length === 0) return []
  await applyLevelChangesOrThrow(tx, { reason: 'ORDER_CANCELLED', referenceDocumentUri: orderUri(cancellation.orderId), actor: ORDER_EVENTS_ACTOR, changes })
  return returned.map((a): DemandBooking => ({ sku: a.sku, locationId: a.locationId, kind: 'CANCELLATION', quantity: a.units, day: a.demandDay }))
}
