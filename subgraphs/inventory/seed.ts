import type { Database } from '../../platform/db.ts'
import { buildWorld, WORLD_EPOCH, type World } from '../../seed/world.ts'
import { dayOfInstant, type DemandState } from './demand.ts'
import { chooseModel } from './forecast/chooseModel.ts'
import { emptySeries, recordDemandEvent } from './forecast/series.ts'
import { insertAllocations } from './store/allocationStore.ts'
import { saveDemand } from './store/demandStore.ts'
import { insertItems } from './store/itemStore.ts'
import { insertLevels } from './store/levelStore.ts'
import { insertLocations } from './store/locationStore.ts'
import { insertReplenishments } from './store/replenishmentStore.ts'
import { insertDatedReservations } from './store/reservationStore.ts'
import { clearInventory, inventoryIsEmpty } from './store/seedStore.ts'

const DAY = 86_400_000

export interface SeedReplenishment {
  id: string
  originLocationId: string | null
  destinationLocationId: string
  status: 'ORDERED' | 'IN_TRANSIT' | 'PARTIALLY_RECEIVED' | 'RECEIVED'
  expectedAt: Date
  lines: { sku: string; quantity: number; receivedQuantity: number }[]
}

/** Already received on each line of a PARTIALLY_RECEIVED replenishment (what is left is INCOMING). */
const RECEIVED_SO_FAR = 10

/**
 * The purchase orders and transfers behind the world's INCOMING: one per destination and product
 * family, so that each level's INCOMING is exactly the open quantity (ordered minus received) of
 * the open replenishments bound for it. One RECEIVED order is history and adds nothing.
 */
export function replenishmentsOf(world: World): SeedReplenishment[] {
  const replenishments: SeedReplenishment[] = []
  const families = [...new Set(world.variants.map((v) => v.sku.split('-')[0] as string))]
  for (const destination of world.locations) {
    for (const family of families) {
      const levels = world.stockLevels.filter((s) => s.locationId === destination.id && s.incoming > 0 && s.sku.startsWith(`${family}-`))
      if (levels.length === 0) continue
      const n = replenishments.length
      const status = (['ORDERED', 'IN_TRANSIT', 'PARTIALLY_RECEIVED'] as const)[n % 3] as SeedReplenishment['status']
      const received = status === 'PARTIALLY_RECEIVED' ? RECEIVED_SO_FAR : 0
      const transferFrom = destination.id === 'loc_wh_east' ? 'loc_wh_eu' : 'loc_wh_east'
      replenishments.push({
        id: `repl_${String(n + 1).padStart(4, '0')}`,
        originLocationId: status === 'IN_TRANSIT' ? transferFrom : null,
        destinationLocationId: destination.id,
        status,
        expectedAt: new Date(WORLD_EPOCH.getTime() + (n + 3) * DAY),
        lines: levels.map((s) => ({ sku: s.sku, quantity: s.incoming + received, receivedQuantity: received })),
      })
    }
  }
  const history = world.stockLevels.filter((s) => s.locationId === 'loc_wh_east').slice(0, 3)
  replenishments.push({
    id: `repl_${String(replenishments.length + 1).padStart(4, '0')}`,
    originLocationId: null,
    destinationLocationId: 'loc_wh_east',
    status: 'RECEIVED',
    expectedAt: new Date(WORLD_EPOCH.getTime() - 30 * DAY),
    lines: history.map((s) => ({ sku: s.sku, quantity: 24, receivedQuantity: 24 })),
  })
  return replenishments
}

/**
 * The demand the world's orders imply, as the order-events consumer would have booked it: each
 * order line's units on the day it was placed, at the location it was committed; a cancelled
 * order nets to nothing, so it is left out. One model per level, fitted through the day before
 * WORLD_EPOCH, so the demo store forecasts from its own order history.
 */
export function demandOf(world: World): { sku: string; locationId: string; state: DemandState }[] {
  const perLevel = new Map<string, { sku: string; locationId: string; events: { day: number; quantity: number }[] }>()
  for (const order of world.orders) {
    if (order.status === 'CANCELLED') continue
    for (const line of order.lineItems) {
      const key = `${line.sku}\u0000${line.locationId}`
      const level = perLevel.get(key) ?? { sku: line.sku, locationId: line.locationId, events: [] }
      level.events.push({ day: dayOfInstant(order.placedAt), quantity: line.quantity })
      perLevel.set(key, level)
    }
  }
  const through = dayOfInstant(WORLD_EPOCH) - 1
  return [...perLevel.values()].map(({ sku, locationId, events }) => {
    const series = events.reduce((s, e) => recordDemandEvent(s, { kind: 'ORDER', ...e }), emptySeries())
    const { model, holdout } = chooseModel(series, through)
    return { sku, locationId, state: { series, model, holdout, lastObservedDay: Math.max(...events.map((e) => e.day)) } }
  })
}

/** Writes inventory's part of the demo store, in one transaction, with one statement per table. */
export async function seedInventory(db: Database, { reset }: { reset: boolean }): Promise<void> {
  const world = buildWorld()
  await db.transaction(async (tx) => {
    if (reset) await clearInventory(tx)
    else if (!(await inventoryIsEmpty(tx))) return
    await insertLocations(tx, world.locations)
    await insertItems(tx, world.variants.map((v) => ({ sku: v.sku, tracked: true })))
    await insertLevels(tx, world.stockLevels, WORLD_EPOCH)
    const createdAt = new Date(WORLD_EPOCH.getTime() - DAY)
    await insertDatedReservations(tx, world.reservations.map((r) => ({ ...r, createdAt })))
    await insertAllocations(
      tx,
      world.orders.flatMap((o) =>
        o.lineItems.map((l) => ({
          lineItemId: l.id, sku: l.sku, locationId: l.locationId, quantity: l.quantity, fulfilledQuantity: l.fulfilledQuantity, demandDay: dayOfInstant(o.placedAt),
        })),
      ),
    )
    await insertReplenishments(tx, replenishmentsOf(world))
    await saveDemand(tx, demandOf(world))
  })
}
