import DataLoader from 'dataloader'
import type { Queryable } from '../../platform/db.ts'
import type { Connection } from '../../platform/pagination.ts'
import { ANONYMOUS, type Viewer } from '../../platform/viewer.ts'
import { canSeeLedger, canSeeLocation, canSeeReservation, visibleLocationIds } from './access.ts'
import type {
  AdjustmentChangeModel, AdjustmentGroupModel, AllocationModel, InventoryItemModel, InventoryLevelModel, LocationModel,
  ReplenishmentLineModel, ReplenishmentModel, ReservationModel,
} from './models.ts'
import { stockConnection, type StockPage } from './stockPage.ts'
import { allocationsByLineItemIds } from './store/allocationStore.ts'
import { itemsBySkus } from './store/itemStore.ts'
import { adjustmentChangesByGroupIds, adjustmentGroupsByIds } from './store/ledgerStore.ts'
import { availableToSellBySkus, levelsPerSku } from './store/levelStore.ts'
import { locationsByIds } from './store/locationStore.ts'
import { replenishmentLinesByIds, replenishmentsByIds } from './store/replenishmentStore.ts'
import { reservationsByIds } from './store/reservationStore.ts'

export interface Loaders {
  readonly location: DataLoader<string, LocationModel | null>
  readonly item: DataLoader<string, InventoryItemModel | null>
  /** Entity lookups below answer null for what the viewer may not see, exactly like a missing id. */
  readonly reservation: DataLoader<string, ReservationModel | null>
  readonly adjustmentGroup: DataLoader<string, AdjustmentGroupModel | null>
  readonly adjustmentChanges: DataLoader<string, AdjustmentChangeModel[]>
  readonly replenishment: DataLoader<string, ReplenishmentModel | null>
  readonly replenishmentLines: DataLoader<string, ReplenishmentLineModel[]>
  readonly allocations: DataLoader<string, AllocationModel[]>
  /** One loader per distinct `locationIds` argument, batching across variants. */
  availableToSell(locationIds: readonly string[] | null | undefined): DataLoader<string, number>
  /** One loader per distinct page of `ProductVariant.stock`, batching across variants. */
  stock(page: StockPage): DataLoader<string, Connection<InventoryLevelModel>>
}

const byKey = <K, V>(keys: readonly K[], rows: readonly V[], keyOf: (row: V) => K): (V | null)[] => {
  const found = new Map(rows.map((row) => [keyOf(row), row]))
  return keys.map((key) => found.get(key) ?? null)
}

const grouped = <V>(keys: readonly string[], rows: readonly V[], keyOf: (row: V) => string): V[][] => {
  const groups = new Map<string, V[]>(keys.map((key) => [key, []]))
  for (const row of rows) groups.get(keyOf(row))?.push(row)
  return keys.map((key) => groups.get(key) ?? [])
}

export function createLoaders(db: Queryable, viewer: Viewer = ANONYMOUS): Loaders {
  const availableToSell = new Map<string, DataLoader<string, number>>()
  const stock = new Map<string, DataLoader<string, Connection<InventoryLevelModel>>>()
  return {
    location: new DataLoader(async (ids) => byKey(ids, await locationsByIds(db, ids), (l) => l.id)),
    item: new DataLoader(async (skus) => byKey(skus, await itemsBySkus(db, skus), (i) => i.sku)),
    reservation: new DataLoader(async (ids) => {
      const visible = (await reservationsByIds(db, ids)).filter((r) => canSeeReservation(viewer, r))
      return byKey(ids, visible, (r) => r.id)
    }),
    adjustmentGroup: new DataLoader(async (ids) => (canSeeLedger(viewer) ? byKey(ids, await adjustmentGroupsByIds(db, ids), (g) => g.id) : ids.map(() => null))),
    adjustmentChanges: new DataLoader(async (ids) => grouped(ids, await adjustmentChangesByGroupIds(db, ids), (c) => c.groupId)),
    replenishment: new DataLoader(async (ids) => byKey(ids, await replenishmentsByIds(db, ids), (r) => r.id)),
    replenishmentLines: new DataLoader(async (ids) => grouped(ids, await replenishmentLinesByIds(db, ids), (l) => l.replenishmentId)),
    allocations: new DataLoader(async (ids) => {
      const visible = (await allocationsByLineItemIds(db, ids)).filter((a) => canSeeLocation(viewer, a.locationId))
      return grouped(ids, visible, (a) => a.lineItemId)
    }),
    availableToSell(requested) {
      const locationIds = visibleLocationIds(viewer, requested)
      const key = JSON.stringify(locationIds)
      let loader = availableToSell.get(key)
      if (!loader) {
        loader = new DataLoader(async (skus) => {
          const sums = await availableToSellBySkus(db, skus, locationIds)
          return skus.map((sku) => sums.get(sku) ?? 0)
        })
        availableToSell.set(key, loader)
      }
      return loader
    },
    stock(page) {
      const locationIds = visibleLocationIds(viewer, page.locationIds)
      const key = JSON.stringify([locationIds, page.request])
      let loader = stock.get(key)
      if (!loader) {
        loader = new DataLoader(async (skus) => {
          const afterLocationId = page.request.after ? String(page.request.after[0]) : null
          const rows = await levelsPerSku(db, skus, { locationIds, afterLocationId, limit: page.request.limit + 1 })
          return grouped(skus, rows, (l) => l.sku).map((levels) => stockConnection(levels, page.request))
        })
        stock.set(key, loader)
      }
      return loader
    },
  }
}
