import { connectionKind, type Connection } from '../../platform/pagination.ts'
import type { InventoryLevelModel } from './models.ts'

/** `ProductVariant.stock`: levels of one sku, keyed by location. */
export const STOCK = connectionKind('ProductVariant.stock', ['string'])

/** The arguments of one `ProductVariant.stock` selection; variants asking the same batch together. */
export interface StockPage {
  readonly locationIds: readonly string[] | null | undefined
  readonly request: ReturnType<typeof STOCK.page>
}

export const stockConnection = (levels: readonly InventoryLevelModel[], request: StockPage['request']): Connection<InventoryLevelModel> =>
  STOCK.connection(levels, request, (level) => [level.locationId])
