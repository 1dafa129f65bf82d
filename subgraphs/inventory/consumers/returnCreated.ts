import type { Queryable } from '../../../platform/db.ts'
import type { ReturnCreated } from '../../orders/events.ts'
import { applyLevelChangesOrThrow } from '../store/levelChangeStore.ts'
import { claimOrderDocument } from '../store/orderDocumentStore.ts'
import type { DemandBooking } from './recordDemand.ts'
import { ORDER_EVENTS_ACTOR } from './releaseHolds.ts'

/**
 * A restocked return puts its units back in AVAILABLE where they were received; otherwise stock is
 * untouched. Returns the demand a restocked return takes back, on the day it came back (the units
 * are for sale again); a return without restock leaves demand as it was.
 */
export async function applyReturnCreated(tx: Queryable, itemsReturned: ReturnCreated): Promise<DemandBooking[]> {
  if (!itemsReturned.restock) return []
  if (!(await claimOrderDocument(tx, 'RETURN', itemsReturned.returnId, itemsReturned.orderId))) return []
  await applyLevelChangesOrThrow(tx, {
    reason: 'RESTOCK',
    referenceDocumentUri: `gid://orders/Return/${itemsReturned.returnId}`,
    actor: ORDER_EVENTS_ACTOR,
    changes: itemsReturned.lines.map((l) => ({ sku: l.sku, locationId: l.locationId, name: 'AVAILABLE' as const, delta: l.quantity })),
  })
  return itemsReturned.lines.map((l): DemandBooking => ({ sku: l.sku, locationId: l.locationId, kind: 'RETURN', quantity: l.quantity, day: null }))
}
