import type { Queryable } from '../../../platform/db.ts'
import type { LevelChange } from '../store/levelChangeStore.ts'
import { releaseActiveReservations } from '../store/reservationStore.ts'

/** Who order events act as, in the ledger. */
export const ORDER_EVENTS_ACTOR = 'system:order-events'

export const orderUri = (orderId: string): string => `gid://orders/Order/${orderId}`

/**
 * Releases those of an order's reservations still ACTIVE and returns the level changes that give
 * their units back (RESERVED → AVAILABLE), for the caller's adjustment group.
 */
export async function releaseHolds(tx: Queryable, reservationIds: readonly string[]): Promise<LevelChange[]> {
  const released = await releaseActiveReservations(tx, reservationIds)
  return released.flatMap((r) => [
    { sku: r.sku, locationId: r.locationId, name: 'RESERVED' as const, delta: -r.quantity },
    { sku: r.sku, locationId: r.locationId, name: 'AVAILABLE' as const, delta: r.quantity },
  ])
}
