import type { Queryable } from '../../../platform/db.ts'
import { kit } from '../kit.ts'
import type { ReplenishmentPayloadModel } from '../models.ts'
import { applyLevelChanges } from '../store/levelChangeStore.ts'
import { lockReplenishment, setReplenishmentStatus } from '../store/replenishmentStore.ts'
import { failedReplenishment, replenishmentUri, unknownReplenishment } from './purchaseOrderApprove.ts'

/**
 * DRAFT, PLACEMENT_FAILED, ORDERED or PARTIALLY_RECEIVED → CANCELLED: nothing more arrives, so the
 * units not received leave INCOMING (a draft or a failed placement never entered it). Cancelling
 * a CANCELLED one again changes nothing. A SUBMITTED order is with the placement consumer, whose
 * answer from the supplier would find it cancelled: it waits for that answer. The supplier is not
 * told of a cancellation (the adapter places orders only).
 */
export async function purchaseOrderCancel(tx: Queryable, id: string, actor: string | null): Promise<ReplenishmentPayloadModel> {
  const found = await lockReplenishment(tx, id)
  if (!found) return unknownReplenishment(id)
  const { replenishment, lines } = found
  switch (replenishment.status) {
    case 'CANCELLED':
      return { replenishmentId: id, userErrors: [] }
    case 'RECEIVED':
    case 'IN_TRANSIT':
    case 'SUBMITTED':
      return failedReplenishment([kit.userError('REPLENISHMENT_NOT_CANCELLABLE', ['id'], `Replenishment ${id} is ${replenishment.status} and cannot be cancelled`)])
    case 'DRAFT':
    case 'PLACEMENT_FAILED':
    case 'ORDERED':
    case 'PARTIALLY_RECEIVED':
      break
  }
  await setReplenishmentStatus(tx, id, 'CANCELLED')
  if (replenishment.status === 'DRAFT' || replenishment.status === 'PLACEMENT_FAILED') return { replenishmentId: id, userErrors: [] }
  const changes = lines
    .filter((l) => l.quantity > l.receivedQuantity)
    .map((l) => ({ sku: l.sku, locationId: replenishment.destinationLocationId, name: 'INCOMING' as const, delta: l.receivedQuantity - l.quantity }))
  if (changes.length === 0) return { replenishmentId: id, userErrors: [] }
  const applied = await applyLevelChanges(tx, { reason: 'PURCHASE_ORDER', referenceDocumentUri: replenishmentUri(id), actor, changes })
  if (applied.kind === 'rejected') {
    // INCOMING was adjusted below the open units by hand: staff correct it first
    return failedReplenishment([kit.userError('INSUFFICIENT_AVAILABLE', ['id'], `INCOMING at ${replenishment.destinationLocationId} is below the order's open units`)])
  }
  return { replenishmentId: id, userErrors: [] }
}
