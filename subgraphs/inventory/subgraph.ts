import { defineSubgraph, type RequestBase } from '../../platform/subgraph.ts'
import { inventoryCache } from './cache.ts'
import { orderEventsHandler } from './consumers/orderEvents.ts'
import { kit } from './kit.ts'
import { createLoaders, type Loaders } from './loaders.ts'
import { startReservationSweeper } from './reservationSweeper.ts'
import { resolvers } from './resolvers.ts'
import { seedInventory } from './seed.ts'
import { startStockFeed, type StockFeed } from './stockFeed.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Inventory only: the live stock feed (tests count its subscribers). */
    stockFeed?: StockFeed
  }
}

export interface Context extends RequestBase {
  readonly loaders: Loaders
  readonly stockFeed: StockFeed
}

/** What requests share: the stock feed, which `start` attaches to the bus once the app (and its logger) exists. */
interface Services {
  stockFeed: StockFeed | null
}

/** Locations, items, levels, reservations, the ledger, demand and replenishment; consumes order events, publishes StockLevelChanged, AllocationFailed, PurchaseOrderPlaced and PurchaseOrderReceived. */
export const inventory = defineSubgraph<Context, Services>({
  name: kit.name,
  folder: new URL('./', import.meta.url),
  resolvers,
  seed: seedInventory,
  services: () => ({ stockFeed: null }),
  // the app serves no request before `start` has returned, so the feed is there by then
  context: (request, services) => ({ ...request, loaders: createLoaders(request.db, request.viewer, request.cache), stockFeed: services.stockFeed as StockFeed }),
  subscriptions: true,
  cache: inventoryCache,
  consumers: () => [orderEventsHandler],
  async start(app, deps, services) {
    const sweeper = startReservationSweeper(deps.db, app.log)
    const stockFeed = await startStockFeed({
      db: deps.db,
      bus: deps.bus ?? null,
      retentionMs: deps.config.eventLogRetentionHours * 3600_000,
      logger: app.log,
    })
    services.stockFeed = stockFeed
    app.decorate('stockFeed', stockFeed)
    return async () => {
      await sweeper.stop()
      await stockFeed.stop()
    }
  },
})
