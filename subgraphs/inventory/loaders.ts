import DataLoader from 'dataloader'
import type { Queryable } from '../../platform/db.ts'
import { allEach, childrenLoader, perArguments, rowLoader } from '../../platform/loaders.ts'
import type { Connection } from '../../platform/pagination.ts'
import { ANONYMOUS, type Viewer } from '../../platform/viewer.ts'
import { canSeeLedger, canSeeLocation, canSeeReservation, visibleLocationIds } from './access.ts'
import type { InventoryLevelModel } from './models.ts'
import { stockConnection, type StockPage } from './stockPage.ts'
import { allocationsByLineItemIds } from './store/allocationStore.ts'
import { itemsBySkus } from './store/itemStore.ts'
import { adjustmentChangesByGroupIds, adjustmentGroupsByIds } from './store/ledgerStore.ts'
import { availableToSellBySkus, levelsPerSku } from './store/levelStore.ts'
import { locationsByIds } from './store/locationStore.ts'
import { replenishmentLinesByIds, replenishmentsByIds } from './store/replenishmentStore.ts'
import { reservationsByIds } from './store/reservationStore.ts'

export type Loaders = ReturnType<typeof createLoaders>

export function createLoaders(db: Queryable, viewer: Viewer = ANONYMOUS) {
  // keyed by the locations the viewer may see, so two requests for what narrows the same share a loader
  const availableToSell = perArguments(
    (locationIds: readonly string[] | null) =>
      new DataLoader<string, number>(async (skus) => {
        const sums = await availableToSellBySkus(db, skus, locationIds)
        return skus.map((sku) => sums.get(sku) ?? 0)
      }),
  )
  const stock = perArguments(
    ({ locationIds, request }: { locationIds: readonly string[] | null; request: StockPage['request'] }) =>
      new DataLoader<string, Connection<InventoryLevelModel>>(async (skus) => {
        const rows = await levelsPerSku(db, skus, { locationIds, afterLocationId: request.after?.[0] ?? null, limit: request.limit + 1 })
        return allEach(skus, rows, (l) => l.sku).map((levels) => stockConnection(levels, request))
      }),
  )
  return {
    location: rowLoader((ids) => locationsByIds(db, ids), (l) => l.id),
    item: rowLoader((skus) => itemsBySkus(db, skus), (i) => i.sku),
    /** Entity lookups from here on answer null for what the viewer may not see, exactly like a missing id. */
    reservation: rowLoader(async (ids) => (await reservationsByIds(db, ids)).filter((r) => canSeeReservation(viewer, r)), (r) => r.id),
    adjustmentGroup: rowLoader(async (ids) => (canSeeLedger(viewer) ? adjustmentGroupsByIds(db, ids) : []), (g) => g.id),
    adjustmentChanges: childrenLoader((ids) => adjustmentChangesByGroupIds(db, ids), (c) => c.groupId),
    replenishment: rowLoader((ids) => replenishmentsByIds(db, ids), (r) => r.id),
    replenishmentLines: childrenLoader((ids) => replenishmentLinesByIds(db, ids), (l) => l.replenishmentId),
    allocations: childrenLoader(
      async (ids) => (await allocationsByLineItemIds(db, ids)).filter((a) => canSeeLocation(viewer, a.locationId)),
      (a) => a.lineItemId,
    ),
    /** One loader per distinct `locationIds` argument, batching across variants. */
    availableToSell: (requested: readonly string[] | null | undefined) => availableToSell(visibleLocationIds(viewer, requested)),
    /** One loader per distinct page of `ProductVariant.stock`, batching across variants. */
    stock: (page: StockPage) => stock({ locationIds: visibleLocationIds(viewer, page.locationIds), request: page.request }),
  }
}
