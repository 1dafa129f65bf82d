import type { Queryable } from '../../../platform/db.ts'
import type { ReturnCreated } from '../../orders/events.ts'
import { applyLevelChangesOrThrow } from '../store/levelChangeStore.ts'
import { claimOrderDocument } from '../store/orderDocumentStore.ts'
import { ORDER_EVENTS_ACTOR } from './releaseHolds.ts'

/** A restocked return puts its units back in AVAILABLE where they were received; otherwise stock is untouched. */
export async function applyReturnCreated(tx: Queryable, itemsReturned: ReturnCreated): Promise<void> {
  if (!itemsReturned.restock) return
  if (!(await claimOrderDocument(tx, 'RETURN', itemsReturned.returnId, itemsReturned.orderId))) return
  await applyLevelChangesOrThrow(tx, {
    reason: 'RESTOCK',
    referenceDocumentUri: `gid://orders/Return/${itemsReturned.returnId}`,
    actor: ORDER_EVENTS_ACTOR,
    changes: itemsReturned.lines.map((l) => ({ sku: l.sku, locationId: l.locationId, name: 'AVAILABLE' as const, delta: l.quantity })),
  })
}
