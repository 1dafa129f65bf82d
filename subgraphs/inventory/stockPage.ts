import { toConnection, type Connection, type PageRequest } from '../../platform/pagination.ts'
import type { InventoryLevelModel } from './models.ts'

/** Cursor kind of `ProductVariant.stock`: levels of one sku, keyed by location. */
export const STOCK_KIND = 'ProductVariant.stock'

/** The arguments of one `ProductVariant.stock` selection; variants asking the same batch together. */
export interface StockPage {
  readonly locationIds: readonly string[] | null | undefined
  readonly request: PageRequest
}

export const stockConnection = (levels: readonly InventoryLevelModel[], request: PageRequest): Connection<InventoryLevelModel> =>
  toConnection(levels, request, STOCK_KIND, (level) => [level.locationId])
