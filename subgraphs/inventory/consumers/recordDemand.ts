import type { Queryable } from '../../../platform/db.ts'
import { bookDemand, demandStateOf, type DemandState } from '../demand.ts'
import type { DemandEventKind } from '../forecast/series.ts'
import { lockDemand, saveDemand } from '../store/demandStore.ts'
import { suggestReplenishment } from './suggestReplenishment.ts'

/** Units an order event adds to (ORDER) or takes from a level's demand, on a given day. */
export interface DemandBooking {
  readonly sku: string
  readonly locationId: string
  readonly kind: DemandEventKind
  /** Positive. */
  readonly quantity: number
  /** The day the units count on (a cancellation: its order's day); null for the event's own day. */
  readonly day: number | null
}

const levelKey = (sku: string, locationId: string) => `${sku}\u0000${locationId}`

/**
 * Books an order event's demand on each level it touches and carries the level's model forward,
 * in the consumer's transaction: the event is recorded as processed in the same commit, so each
 * event counts once however often it is delivered. `eventDay`: the UTC day it occurred. Every
 * booking is on a level the same transaction has just changed, and so locked: two events on one
 * level queue there, which also covers a level's first booking, whose row does not exist to lock.
 * Then levels with a replenishment policy decide whether to draft a purchase order.
 */
export async function recordDemand(tx: Queryable, bookings: readonly DemandBooking[], eventDay: number): Promise<void> {
  const perLevel = new Map<string, DemandBooking[]>()
  for (const booking of bookings) {
    if (booking.quantity <= 0) continue
    const key = levelKey(booking.sku, booking.locationId)
    perLevel.set(key, [...(perLevel.get(key) ?? []), booking])
  }
  if (perLevel.size === 0) return
  const keys = [...perLevel.values()].map(([first]) => ({ sku: first!.sku, locationId: first!.locationId }))
  const stored = new Map((await lockDemand(tx, keys)).map((row) => [levelKey(row.sku, row.locationId), demandStateOf(row)]))
  const states = keys.map((key): typeof key & { state: DemandState } => {
    const events = (perLevel.get(levelKey(key.sku, key.locationId)) ?? []).map((b) => ({ kind: b.kind, quantity: b.quantity, day: b.day ?? eventDay }))
    return { ...key, state: bookDemand(stored.get(levelKey(key.sku, key.locationId)) ?? null, events, eventDay) }
  })
  await saveDemand(tx, states)
  await suggestReplenishment(tx, states, eventDay)
}
