import type { Queryable } from '../../../platform/db.ts'
import { kit } from '../kit.ts'
import type { InventoryUserErrorModel, ReplenishmentPayloadModel } from '../models.ts'
import { applyLevelChanges } from '../store/levelChangeStore.ts'
import { lockReplenishment, setReplenishmentStatus, supplierHeldOrderOf } from '../store/replenishmentStore.ts'
import { SupplierUnavailableError, SupplierUnreachableError, type SupplierAdapter } from '../suppliers/supplier.ts'
import { failedReplenishment, replenishmentUri, unknownReplenishment } from './purchaseOrderApprove.ts'

/**
 * What the supplier said of the cancellation, asked before the transaction: nothing to ask (no
 * supplier holds the order, or it is in no state to cancel), cancelled under the order's reference,
 * or a userError that ends the mutation with nothing changed.
 */
export type SupplierNotice =
  | { readonly kind: 'not_held' }
  | { readonly kind: 'cancelled'; readonly supplierReference: string }
  | { readonly kind: 'refused'; readonly error: InventoryUserErrorModel }

/**
 * The key the supplier knows a cancellation by: one per order, not per request, so every retry
 * (with the same idempotency key or after a refusal was fixed) is the same cancellation to it.
 */
export const supplierCancelKey = (id: string): string => `cancel:${id}`

/** A supplier's own words may carry an address of its own: the graph gets ours only. */
const withoutAddresses = (text: string) => text.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '(address)')

/**
 * The outside step: an ORDERED or PARTIALLY_RECEIVED order a supplier accepted is cancelled with
 * the supplier, outside any transaction (a transaction never waits on the network), before
 * anything changes here. Any other order needs no call: the transaction decides as before.
 */
export async function tellSupplier(db: Queryable, supplier: SupplierAdapter | null, id: string): Promise<SupplierNotice> {
  const held = await supplierHeldOrderOf(db, id)
  if (!held || (held.status !== 'ORDERED' && held.status !== 'PARTIALLY_RECEIVED')) return { kind: 'not_held' }
  if (!supplier) {
    return refusedWith('SUPPLIER_NOT_CONFIGURED', `Purchase order ${id} was placed with a supplier and no supplier is configured to cancel it with`)
  }
  try {
    const answer = await supplier.cancelOrder({
      idempotencyKey: supplierCancelKey(id),
      supplierId: held.supplierId,
      supplierReference: held.supplierReference,
      orderIdempotencyKey: held.supplierOrderKey,
    })
    if (answer.outcome === 'cancelled') return { kind: 'cancelled', supplierReference: held.supplierReference }
    const reason = withoutAddresses(answer.message ? `${answer.code}: ${answer.message}` : answer.code)
    return refusedWith('SUPPLIER_REFUSED_CANCEL', `The supplier refused to cancel purchase order ${id} (${reason}); nothing was changed`)
  } catch (error) {
    // the messages are ours (resilientSupplier.ts, httpSupplier.ts): no address in them
    if (error instanceof SupplierUnavailableError) {
      const seconds = Math.max(1, Math.ceil(error.retryAfterMs / 1000))
      return refusedWith('SUPPLIER_UNAVAILABLE', `The supplier did not answer the cancellation (${error.message}); nothing was changed: retry in ${seconds} s with the same idempotency key`)
    }
    if (error instanceof SupplierUnreachableError) {
      return refusedWith('SUPPLIER_UNAVAILABLE', `The supplier did not answer the cancellation (${error.message}); nothing was changed: retry with the same idempotency key`)
    }
    throw error
  }
}

const refusedWith = (code: 'SUPPLIER_NOT_CONFIGURED' | 'SUPPLIER_REFUSED_CANCEL' | 'SUPPLIER_UNAVAILABLE', message: string): SupplierNotice => ({
  kind: 'refused',
  error: kit.userError(code, ['id'], message),
})

/**
 * DRAFT, PLACEMENT_FAILED, ORDERED or PARTIALLY_RECEIVED → CANCELLED: nothing more arrives, so the
 * units not received leave INCOMING (a draft or a failed placement never entered it). Cancelling
 * a CANCELLED one again changes nothing. A SUBMITTED order is with the placement consumer, whose
 * answer from the supplier would find it cancelled: it waits for that answer. An order a supplier
 * accepted is cancelled here only once the supplier has cancelled it (`tellSupplier`, the step
 * before this transaction).
 */
export async function purchaseOrderCancel(tx: Queryable, id: string, actor: string | null, notice: SupplierNotice): Promise<ReplenishmentPayloadModel> {
  if (notice.kind === 'refused') return failedReplenishment([notice.error])
  const found = await lockReplenishment(tx, id)
  if (!found) return unknownReplenishment(id)
  const { replenishment, lines, placement } = found
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
  const told = notice.kind === 'cancelled' && notice.supplierReference === placement.supplierReference
  if (placement.supplierReference !== null && !told) {
    // the supplier accepted it between the read before the call and this lock: it was SUBMITTED when asked
    return failedReplenishment([kit.userError('REPLENISHMENT_NOT_CANCELLABLE', ['id'], `Replenishment ${id} was being placed with the supplier; retry with the same idempotency key`)])
  }
  await setReplenishmentStatus(tx, id, 'CANCELLED')
  if (replenishment.status === 'DRAFT' || replenishment.status === 'PLACEMENT_FAILED') return { replenishmentId: id, userErrors: [] }
  const changes = lines
    .filter((l) => l.quantity > l.receivedQuantity)
    .map((l) => ({ sku: l.sku, locationId: replenishment.destinationLocationId, name: 'INCOMING' as const, delta: l.receivedQuantity - l.quantity }))
  if (changes.length === 0) return { replenishmentId: id, userErrors: [] }
  const applied = await applyLevelChanges(tx, { reason: 'PURCHASE_ORDER', referenceDocumentUri: replenishmentUri(id), actor, changes })
  if (applied.kind === 'rejected') {
    // INCOMING was adjusted below the open units by hand: staff correct it first. The supplier's
    // cancellation stands; asked again under the same key, it answers the same.
    const note = told ? ' (the supplier has cancelled it: retry once corrected)' : ''
    return failedReplenishment([kit.userError('INSUFFICIENT_AVAILABLE', ['id'], `INCOMING at ${replenishment.destinationLocationId} is below the order's open units${note}`)])
  }
  return { replenishmentId: id, userErrors: [] }
}
