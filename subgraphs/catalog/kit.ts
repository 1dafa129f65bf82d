import { subgraphKit } from '../../platform/subgraphKit.ts'
import { CATALOG_AGGREGATES, type CatalogEvents } from './events.ts'
import type { CatalogErrorCode } from './generated/resolvers.ts'

/** Catalog's mutation runner, event publisher and userError factory, bound to its schema. */
export const kit = subgraphKit<CatalogEvents, CatalogErrorCode>('catalog', CATALOG_AGGREGATES)
