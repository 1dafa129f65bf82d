import type { Queryable } from '../../../platform/db.ts'
import type { PurchaseOrderReceiveInput } from '../generated/resolvers.ts'
import { kit } from '../kit.ts'
import type { InventoryUserErrorModel, ReplenishmentPayloadModel } from '../models.ts'
import { applyLevelChanges, type LevelChange } from '../store/levelChangeStore.ts'
import { addReceivedUnits, lockReplenishment, setReplenishmentStatus } from '../store/replenishmentStore.ts'
import { failedReplenishment, replenishmentUri, unknownReplenishment } from './purchaseOrderApprove.ts'

const RECEIVABLE = new Set(['ORDERED', 'IN_TRANSIT', 'PARTIALLY_RECEIVED'])

/**
 * Units arrive at the destination: INCOMING → AVAILABLE, the lines' received units rise, and the
 * replenishment is RECEIVED once every unit is in (PARTIALLY_RECEIVED before), and
 * PurchaseOrderReceived says so. A line may not take
 * more than it still has open, so a delivery is never counted twice into AVAILABLE.
 */
export async function purchaseOrderReceive(tx: Queryable, input: Omit<PurchaseOrderReceiveInput, 'idempotencyKey'>, actor: string | null): Promise<ReplenishmentPayloadModel> {
  if (input.lines.length === 0) return failedReplenishment([kit.userError('NO_CHANGES', ['input', 'lines'], 'Give at least one line')])
  const found = await lockReplenishment(tx, input.id)
  if (!found) return unknownReplenishment(input.id)
  const { replenishment, lines } = found
  if (!RECEIVABLE.has(replenishment.status)) {
    return failedReplenishment([kit.userError('REPLENISHMENT_NOT_RECEIVABLE', ['input', 'id'], `Replenishment ${input.id} is ${replenishment.status}: nothing of it is on its way`)])
  }
  const open = new Map(lines.map((l) => [l.sku, l.quantity - l.receivedQuantity]))
  const errors: InventoryUserErrorModel[] = []
  const received = new Map<string, number>()
  input.lines.forEach((line, i) => {
    if (line.quantity <= 0) {
      errors.push(kit.userError('INVALID_QUANTITY', ['input', 'lines', String(i), 'quantity'], 'quantity must be positive'))
      return
    }
    const total = (received.get(line.sku) ?? 0) + line.quantity
    if (total > (open.get(line.sku) ?? 0)) {
      errors.push(kit.userError('RECEIVE_EXCEEDS_OPEN', ['input', 'lines', String(i)], `${input.id} has ${open.get(line.sku) ?? 0} units of ${line.sku} open`))
      return
    }
    received.set(line.sku, total)
  })
  if (errors.length > 0) return failedReplenishment(errors)
  const arrived = [...received].map(([sku, quantity]) => ({ sku, quantity }))
  await addReceivedUnits(tx, input.id, arrived)
  const changes = arrived.flatMap(({ sku, quantity }): LevelChange[] => [
    { sku, locationId: replenishment.destinationLocationId, name: 'INCOMING', delta: -quantity },
    { sku, locationId: replenishment.destinationLocationId, name: 'AVAILABLE', delta: quantity },
  ])
  const applied = await applyLevelChanges(tx, { reason: 'RECEIVED', referenceDocumentUri: replenishmentUri(input.id), actor, changes })
  if (applied.kind === 'rejected') {
    return failedReplenishment([kit.userError('INSUFFICIENT_AVAILABLE', ['input', 'lines'], `INCOMING at ${replenishment.destinationLocationId} is below the units received`)])
  }
  const complete = lines.every((l) => l.receivedQuantity + (received.get(l.sku) ?? 0) >= l.quantity)
  const status = complete ? 'RECEIVED' : 'PARTIALLY_RECEIVED'
  await setReplenishmentStatus(tx, input.id, status)
  await kit.publish(tx, {
    type: 'PurchaseOrderReceived',
    aggregateId: input.id,
    payload: { replenishmentId: input.id, destinationLocationId: replenishment.destinationLocationId, lines: arrived, status },
  })
  return { replenishmentId: input.id, userErrors: [] }
}
