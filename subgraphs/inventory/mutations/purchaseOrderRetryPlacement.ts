import { randomUUID } from 'node:crypto'
import type { Queryable } from '../../../platform/db.ts'
import { kit } from '../kit.ts'
import type { ReplenishmentPayloadModel } from '../models.ts'
import { lockReplenishment, resubmitPlacement } from '../store/replenishmentStore.ts'
import { failedReplenishment, unknownReplenishment } from './purchaseOrderApprove.ts'

/**
 * PLACEMENT_FAILED → SUBMITTED: the placement consumer asks the supplier again. After a rejection
 * (the supplier's answer is stored under the old key, and would be the same) under a new key;
 * after no answer under the same key, since the supplier may have taken the order. An order
 * SUBMITTED or ORDERED through the supplier is returned unchanged.
 */
export async function purchaseOrderRetryPlacement(tx: Queryable, id: string, supplierConfigured: boolean): Promise<ReplenishmentPayloadModel> {
  const found = await lockReplenishment(tx, id)
  if (!found) return unknownReplenishment(id)
  const { replenishment, placement, lines } = found
  const placed = placement.supplierOrderKey !== null
  if (placed && (replenishment.status === 'SUBMITTED' || replenishment.status === 'ORDERED')) return { replenishmentId: id, userErrors: [] }
  if (replenishment.status !== 'PLACEMENT_FAILED' || !placement.supplierOrderKey || !found.supplierId) {
    return failedReplenishment([kit.userError('REPLENISHMENT_NOT_RETRYABLE', ['id'], `Replenishment ${id} is ${replenishment.status}, not a purchase order whose placement failed`)])
  }
  if (!supplierConfigured) return failedReplenishment([kit.userError('SUPPLIER_NOT_CONFIGURED', ['id'], 'No supplier is configured for this deployment')])
  const key = placement.rejectionCode === null ? placement.supplierOrderKey : `${id}.${randomUUID().slice(0, 8)}`
  await resubmitPlacement(tx, id, key)
  await kit.publish(tx, {
    type: 'PurchaseOrderSubmitted',
    aggregateId: id,
    payload: {
      replenishmentId: id,
      supplierId: found.supplierId,
      destinationLocationId: replenishment.destinationLocationId,
      idempotencyKey: key,
      expectedAt: replenishment.expectedAt ? new Date(replenishment.expectedAt).toISOString() : null,
      lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
    },
  })
  return { replenishmentId: id, userErrors: [] }
}
