/**
 * What inventory shares between viewers, and what keeps it true. Stock sums and stock pages are
 * keyed by the locations the viewer may see (a partner's token narrows them), so one viewer's
 * entry is another's only when both see the same locations. Reservations, the ledger and
 * replenishments are never cached.
 *
 * - A level change (StockLevelChanged: adjustments, moves, reservations, commits, releases,
 *   expiries) drops every entry of its sku: sums over any set of locations, and stock pages.
 * - Locations change only by seeding: the TTL (CACHE_TTL_SECONDS) covers them.
 */
import { eventOf, subjectOf, type EventEnvelope } from '../../platform/events.ts'
import type { CacheSpec } from '../../platform/subgraph.ts'
import { INVENTORY_AGGREGATES, type InventoryEvents } from './events.ts'
import { kit } from './kit.ts'

/** The references inventory's entries name, and its events drop. */
export const references = {
  stock: (sku: string) => `stock:${sku}`,
  locations: 'locations',
}

const LEVEL_CHANGED = subjectOf({ source: kit.name, aggregateType: INVENTORY_AGGREGATES.StockLevelChanged, type: 'StockLevelChanged' })

export const inventoryCache: CacheSpec = {
  queryPolicy: {
    Query: {
      location: { references: () => [references.locations] },
      locations: { references: () => [references.locations] },
    },
  },
  subjects: [LEVEL_CHANGED],
  invalidates: async (event: EventEnvelope) => [references.stock(eventOf<InventoryEvents, 'StockLevelChanged'>(event).payload.sku)],
}
