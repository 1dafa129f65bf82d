import { savepoint, type Queryable } from '../../../platform/db.ts'
import type { OrderLinePayload, OrderPlaced } from '../../orders/events.ts'
import { kit } from '../kit.ts'
import { insertAllocations } from '../store/allocationStore.ts'
import { applyLevelChanges, applyLevelChangesOrThrow, type LevelChange } from '../store/levelChangeStore.ts'
import { claimOrderDocumentUnless } from '../store/orderDocumentStore.ts'
import { consumeReservations } from '../store/reservationStore.ts'
import type { DemandBooking } from './recordDemand.ts'
import { ORDER_EVENTS_ACTOR, orderUri, releaseHolds } from './releaseHolds.ts'

const levelKey = (sku: string, locationId: string) => `${sku}\u0000${locationId}`

/**
 * Turns an order's held stock into committed stock, all lines or none. Each line's reservation
 * goes ACTIVE → CONSUMED (RESERVED → COMMITTED); a line whose reservation lapsed before the event
 * arrived takes its units from AVAILABLE instead. When AVAILABLE cannot cover such a line, nothing
 * is committed: the order's remaining holds are released and `AllocationFailed` tells orders to
 * cancel it.
 *
 * Returns the demand the order adds where its units were committed, on `day` (the day it was
 * placed); none when nothing was committed. The allocations remember the day, for a cancellation.
 */
export async function applyOrderPlaced(tx: Queryable, order: OrderPlaced, day: number): Promise<DemandBooking[]> {
  if (order.lines.length === 0) return []
  // 'superseded': its cancellation got here first (this event was dead-lettered and replayed): the
  // cancellation already released the holds, and a cancelled order must not commit stock
  if ((await claimOrderDocumentUnless(tx, 'ORDER_PLACED', order.orderId, order.orderId, 'ORDER_CANCELLED')) !== 'claimed') return []
  const uri = orderUri(order.orderId)
  const { lines } = order

  const point = await savepoint(tx, 'order_placed')
  const consumed = new Set(
    await consumeReservations(tx, lines.map((l) => ({ id: l.reservationId, sku: l.sku, locationId: l.locationId, quantity: l.quantity }))),
  )
  const changes = lines.flatMap((line): LevelChange[] => [
    { sku: line.sku, locationId: line.locationId, name: consumed.has(line.reservationId) ? 'RESERVED' : 'AVAILABLE', delta: -line.quantity },
    { sku: line.sku, locationId: line.locationId, name: 'COMMITTED', delta: line.quantity },
  ])
  const applied = await applyLevelChanges(tx, { reason: 'ORDER_PLACED', referenceDocumentUri: uri, actor: ORDER_EVENTS_ACTOR, changes })
  if (applied.kind === 'applied') {
    await point.release()
    await insertAllocations(tx, lines.map((l) => ({ lineItemId: l.lineItemId, sku: l.sku, locationId: l.locationId, quantity: l.quantity, demandDay: day })))
    // a hold that did not match its line (another quantity) was not consumed: it is not needed now
    const leftovers = await releaseHolds(tx, lines.filter((l) => !consumed.has(l.reservationId)).map((l) => l.reservationId))
    if (leftovers.length > 0) {
      await applyLevelChangesOrThrow(tx, { reason: 'RESERVATION', referenceDocumentUri: uri, actor: ORDER_EVENTS_ACTOR, changes: leftovers })
    }
    return lines.map((l): DemandBooking => ({ sku: l.sku, locationId: l.locationId, kind: 'ORDER', quantity: l.quantity, day }))
  }

  await point.rollback()
  const refused = new Set(applied.levels.map((l) => levelKey(l.sku, l.locationId)))
  const atRefused = lines.filter((l) => refused.has(levelKey(l.sku, l.locationId)))
  const uncovered = atRefused.filter((l) => !consumed.has(l.reservationId))
  const holds = await releaseHolds(tx, lines.map((l) => l.reservationId))
  if (holds.length > 0) {
    await applyLevelChangesOrThrow(tx, { reason: 'RESERVATION', referenceDocumentUri: uri, actor: ORDER_EVENTS_ACTOR, changes: holds })
  }
  await kit.publish(tx, {
    type: 'AllocationFailed',
    aggregateId: order.orderId,
    payload: {
      orderId: order.orderId,
      // a refused level with only consumed lines means RESERVED fell short: name those lines then
      lines: (uncovered.length > 0 ? uncovered : atRefused).map(failedLine),
      reason: 'INSUFFICIENT_AVAILABLE',
    },
  })
  return []
}

const failedLine = (line: OrderLinePayload) => ({ lineItemId: line.lineItemId, sku: line.sku, quantity: line.quantity })
