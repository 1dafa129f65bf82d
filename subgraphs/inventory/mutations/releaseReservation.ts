import type { Queryable } from '../../../platform/db.ts'
import { kit } from '../kit.ts'
import type { ReservePayloadModel } from '../models.ts'
import { applyLevelChangesOrThrow } from '../store/levelChangeStore.ts'
import { markReservationReleased, reservationsByIds } from '../store/reservationStore.ts'
import { failedReservation } from './reserve.ts'

/**
 * ACTIVE → RELEASED, its units back from RESERVED to AVAILABLE. Releasing a RELEASED reservation
 * again returns it unchanged: the status flip is conditional, so stock is never returned twice.
 */
export async function releaseReservation(tx: Queryable, id: string, actor: string | null): Promise<ReservePayloadModel> {
  const released = await markReservationReleased(tx, id)
  if (released) {
    await applyLevelChangesOrThrow(tx, {
      reason: 'RESERVATION',
      referenceDocumentUri: released.referenceDocumentUri,
      actor,
      changes: [
        { sku: released.sku, locationId: released.locationId, name: 'RESERVED', delta: -released.quantity },
        { sku: released.sku, locationId: released.locationId, name: 'AVAILABLE', delta: released.quantity },
      ],
    })
    return { reservationIds: [released.id], userErrors: [] }
  }
  const [current] = await reservationsByIds(tx, [id])
  switch (current?.status) {
    case undefined:
      return failedReservation([kit.userError('UNKNOWN_RESERVATION', ['id'], `No reservation has id ${id}`)])
    case 'RELEASED':
      return { reservationIds: [current.id], userErrors: [] }
    case 'CONSUMED':
      return failedReservation([kit.userError('RESERVATION_CONSUMED', ['id'], 'The reservation became an order; cancel the order instead')])
    case 'EXPIRED':
    case 'ACTIVE': // past its expiry, not swept yet: its stock goes back with the sweep
      return failedReservation([kit.userError('RESERVATION_EXPIRED', ['id'], 'The reservation expired and its stock is available again')])
  }
}
