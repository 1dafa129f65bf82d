import { badUserInput } from '../../../platform/errors.ts'
import { incidentsPage } from '../../../platform/incidents.ts'
import { connectionKind } from '../../../platform/pagination.ts'
import { requireStaff } from '../../../platform/viewer.ts'
import { visibleLocationIds } from '../access.ts'
import type { QueryResolvers } from '../generated/resolvers.ts'
import { kit } from '../kit.ts'
import { levelsBySkuAndLocation, levelsSinceVersion } from '../store/levelStore.ts'
import { listLocations } from '../store/locationStore.ts'

/** Largest skus / locationIds list one filter takes (the stock feed's limit too). */
export const MAX_FILTER_VALUES = 500

const LEVELS = connectionKind('InventoryLevelConnection', ['string', 'string'])
/** Another kind for the version order, so a cursor of one order is refused by the other. The version is an int8 as a decimal string. */
const LEVELS_BY_VERSION = connectionKind('InventoryLevelConnection.sinceVersion', ['string'])
// keyset (opened at, id), newest first; a kind of its own, so finance's incident cursors are refused here
const SUPPLIER_INCIDENTS = connectionKind('IncidentConnection.supplier', ['instant', 'string'])

export const Query: QueryResolvers = {
  location: (_parent, { id }, ctx) => ctx.loaders.location.load(id),

  locations: (_parent, args, ctx) => listLocations(ctx.db, { type: args.type ?? null, active: args.active ?? null }),

  inventoryLevels: async (_parent, { filter, first, after }, ctx) => {
    for (const name of ['skus', 'locationIds'] as const) {
      const values = filter[name]
      if (values && values.length > MAX_FILTER_VALUES) {
        throw badUserInput(`filter.${name} takes at most ${MAX_FILTER_VALUES} values, got ${values.length}`, 'filter')
      }
    }
    const levelFilter = {
      skus: filter.skus ?? null,
      locationIds: visibleLocationIds(ctx.viewer, filter.locationIds),
      updatedSince: filter.updatedSince ?? null,
    }
    const maxPageSize = ctx.config.maxPageSize
    if (filter.sinceVersion !== null && filter.sinceVersion !== undefined) {
      const request = LEVELS_BY_VERSION.page({ first, after }, { maxPageSize })
      const afterVersion = request.after?.[0] ?? null
      // the cursor's kind checks a string; the bigint comparison needs it to be an int8
      if (afterVersion !== null && !/^-?\d{1,19}$/.test(afterVersion)) throw badUserInput(`'after' is not a valid cursor for this connection`, 'after')
      const rows = await levelsSinceVersion(ctx.db, levelFilter, { sinceVersion: filter.sinceVersion, afterVersion, limit: request.limit + 1 })
      return LEVELS_BY_VERSION.connection(rows, request, (level) => [level.version])
    }
    const request = LEVELS.page({ first, after }, { maxPageSize })
    const afterKey = request.after ? { sku: request.after[0], locationId: request.after[1] } : null
    const rows = await levelsBySkuAndLocation(ctx.db, levelFilter, { after: afterKey, limit: request.limit + 1 })
    return LEVELS.connection(rows, request, (level) => [level.sku, level.locationId])
  },

  // inventory records incidents of one integration, the supplier (suppliers/supplierServices.ts)
  supplierIncidents: async (_parent, { status, first, after }, { viewer, db, config }) => {
    requireStaff(viewer)
    const request = SUPPLIER_INCIDENTS.page({ first, after }, { maxPageSize: config.maxPageSize })
    const rows = await incidentsPage(db, kit.name, status ?? null, request.after, request.limit + 1)
    return SUPPLIER_INCIDENTS.connection(rows, request, (row) => [row.openedAt.toISOString(), row.id])
  },
}
