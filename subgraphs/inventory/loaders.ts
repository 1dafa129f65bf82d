import DataLoader from 'dataloader'
import type { Queryable } from '../../platform/db.ts'
import { allEach, childrenLoader, perArguments, rowLoader, sharedLoader, type EntityCache } from '../../platform/loaders.ts'
import type { Connection } from '../../platform/pagination.ts'
import { ANONYMOUS, type Viewer } from '../../platform/viewer.ts'
import { canSeeLedger, canSeeLocation, canSeeReservation, visibleLocationIds } from './access.ts'
import { demandStateOf } from './demand.ts'
import type { InventoryLevelModel } from './models.ts'
import { stockConnection, type StockPage } from './stockPage.ts'
import { allocationsByLineItemIds } from './store/allocationStore.ts'
import { itemsBySkus } from './store/itemStore.ts'
import { adjustmentChangesByGroupIds, adjustmentGroupsByIds } from './store/ledgerStore.ts'
import { demandByLevels } from './store/demandStore.ts'
import { policiesByLevels } from './store/policyStore.ts'
import { availableToSellBySkus, levelsByKeys, levelsPerSku, type LevelKey } from './store/levelStore.ts'
import { locationsByIds } from './store/locationStore.ts'
import { draftsByLevels, placementsByIds, purchaseOrdersByLevels, replenishmentLinesByIds, replenishmentsByIds } from './store/replenishmentStore.ts'
import type { ReplenishmentStatus } from './generated/resolvers.ts'

/** The most purchase orders `InventoryLevel.purchaseOrders` lists. */
const PURCHASE_ORDERS_PER_LEVEL = 50
import { references } from './cache.ts'
import { reservationsByIds } from './store/reservationStore.ts'

export type Loaders = ReturnType<typeof createLoaders>

/** The loader key of a level: (sku, location) as JSON, since either may hold any character. */
export const levelLoaderKey = (sku: string, locationId: string): string => JSON.stringify([sku, locationId])
const levelKeysOf = (keys: readonly string[]): LevelKey[] =>
  keys.map((key) => {
    const [sku, locationId] = JSON.parse(key) as [string, string]
    return { sku, locationId }
  })

/**
 * Created once per request. Stock sums, stock pages, locations and items read through the shared
 * cache (`cache`): each is narrowed by the locations the viewer may see, which is part of its key,
 * so what one viewer may see is never served to another. Reservations and the ledger never are.
 */
export function createLoaders(db: Queryable, viewer: Viewer = ANONYMOUS, cache: EntityCache | null = null) {
  // keyed by the locations the viewer may see, so two requests for what narrows the same share a loader
  const availableToSell = perArguments((locationIds: readonly string[] | null) =>
    sharedLoader(
      cache,
      { entity: 'availableToSell', scope: JSON.stringify(locationIds), references: (sku) => [references.stock(sku)] },
      new DataLoader<string, number>(async (skus) => {
        const sums = await availableToSellBySkus(db, skus, locationIds)
        return skus.map((sku) => sums.get(sku) ?? 0)
      }),
    ),
  )
  const stock = perArguments((page: { locationIds: readonly string[] | null; request: StockPage['request'] }) =>
    sharedLoader(
      cache,
      { entity: 'stock', scope: JSON.stringify(page), references: (sku) => [references.stock(sku)] },
      new DataLoader<string, Connection<InventoryLevelModel>>(async (skus) => {
        const rows = await levelsPerSku(db, skus, { locationIds: page.locationIds, afterLocationId: page.request.after?.[0] ?? null, limit: page.request.limit + 1 })
        return allEach(skus, rows, (l) => l.sku).map((levels) => stockConnection(levels, page.request))
      }),
    ),
  )
  return {
    location: sharedLoader(cache, { entity: 'location', references: () => [references.locations] }, rowLoader((ids) => locationsByIds(db, ids), (l) => l.id)),
    item: sharedLoader(cache, { entity: 'item', references: (sku) => [references.stock(sku)] }, rowLoader((skus) => itemsBySkus(db, skus), (i) => i.sku)),
    /** Entity lookups from here on answer null for what the viewer may not see, exactly like a missing id. */
    reservation: rowLoader(async (ids) => (await reservationsByIds(db, ids)).filter((r) => canSeeReservation(viewer, r)), (r) => r.id),
    adjustmentGroup: rowLoader(async (ids) => (canSeeLedger(viewer) ? adjustmentGroupsByIds(db, ids) : []), (g) => g.id),
    adjustmentChanges: childrenLoader((ids) => adjustmentChangesByGroupIds(db, ids), (c) => c.groupId),
    replenishment: rowLoader((ids) => replenishmentsByIds(db, ids), (r) => r.id),
    /** Keyed by `levelLoaderKey`; callers check access (requireDemandAccess) before loading. */
    level: rowLoader((keys) => levelsByKeys(db, levelKeysOf(keys)), (l) => levelLoaderKey(l.sku, l.locationId)),
    demand: rowLoader(
      async (keys) => (await demandByLevels(db, levelKeysOf(keys))).map((row) => ({ key: levelLoaderKey(row.sku, row.locationId), state: demandStateOf(row) })),
      (d) => d.key,
    ),
    policy: rowLoader((keys) => policiesByLevels(db, levelKeysOf(keys)), (p) => levelLoaderKey(p.sku, p.locationId)),
    drafts: childrenLoader((keys) => draftsByLevels(db, levelKeysOf(keys)), (d) => levelLoaderKey(d.sku, d.locationId)),
    /** Keyed by `levelLoaderKey`, one loader per (sorted) list of statuses; callers check access first. */
    purchaseOrders: perArguments((statuses: readonly ReplenishmentStatus[]) =>
      childrenLoader((keys) => purchaseOrdersByLevels(db, levelKeysOf(keys), statuses, PURCHASE_ORDERS_PER_LEVEL), (o) => levelLoaderKey(o.sku, o.locationId)),
    ),
    /** Staff only: the resolver checks before loading. */
    placement: rowLoader((ids) => placementsByIds(db, ids), (p) => p.replenishmentId),
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
