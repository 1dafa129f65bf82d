import type { Queryable } from '../../../platform/db.ts'
import { kit } from '../kit.ts'
import type { InventoryUserErrorModel, ReplenishmentPayloadModel } from '../models.ts'
import { applyLevelChangesOrThrow } from '../store/levelChangeStore.ts'
import { lockReplenishment, setReplenishmentStatus } from '../store/replenishmentStore.ts'

export const failedReplenishment = (userErrors: InventoryUserErrorModel[]): ReplenishmentPayloadModel => ({ replenishmentId: null, userErrors })
export const replenishmentUri = (id: string): string => `gid://inventory/Replenishment/${id}`
export const unknownReplenishment = (id: string): ReplenishmentPayloadModel =>
  failedReplenishment([kit.userError('UNKNOWN_REPLENISHMENT', ['id'], `No replenishment has id ${id}`)])

/**
 * DRAFT → ORDERED: the purchase order is placed, and its units count as INCOMING at the
 * destination from now on (PurchaseOrderPlaced). Approving an ORDERED one again changes nothing.
 */
export async function purchaseOrderApprove(tx: Queryable, id: string, actor: string | null): Promise<ReplenishmentPayloadModel> {
  const found = await lockReplenishment(tx, id)
  if (!found) return unknownReplenishment(id)
  const { replenishment, lines } = found
  if (replenishment.status === 'ORDERED' && replenishment.originLocationId === null) return { replenishmentId: id, userErrors: [] }
  if (replenishment.status !== 'DRAFT' || replenishment.originLocationId !== null) {
    return failedReplenishment([kit.userError('REPLENISHMENT_NOT_DRAFT', ['id'], `Replenishment ${id} is ${replenishment.status}, not a drafted purchase order`)])
  }
  await setReplenishmentStatus(tx, id, 'ORDERED')
  await applyLevelChangesOrThrow(tx, {
    reason: 'PURCHASE_ORDER',
    referenceDocumentUri: replenishmentUri(id),
    actor,
    changes: lines.map((l) => ({ sku: l.sku, locationId: replenishment.destinationLocationId, name: 'INCOMING' as const, delta: l.quantity })),
  })
  await kit.publish(tx, {
    type: 'PurchaseOrderPlaced',
    aggregateId: id,
    payload: {
      replenishmentId: id,
      supplierId: found.supplierId,
      destinationLocationId: replenishment.destinationLocationId,
      expectedAt: replenishment.expectedAt ? new Date(replenishment.expectedAt).toISOString() : null,
      lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
    },
  })
  return { replenishmentId: id, userErrors: [] }
}
