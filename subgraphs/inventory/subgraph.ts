import { pinoLogger } from '../../platform/service.ts'
import { defineSubgraph, type RequestBase, type SubgraphDeps } from '../../platform/subgraph.ts'
import { inventoryCache } from './cache.ts'
import { orderEventsHandler } from './consumers/orderEvents.ts'
import { serveFeedEndpoint } from './partnerFeeds/endpoint.ts'
import { kit } from './kit.ts'
import { createLoaders, type Loaders } from './loaders.ts'
import { startPlacementWorker, type PlacementWorker } from './placementWorker.ts'
import { startReservationSweeper } from './reservationSweeper.ts'
import { startReplenishmentReview } from './replenishmentReview.ts'
import { resolvers } from './resolvers.ts'
import { seedInventory } from './seed.ts'
import { startStockFeed, type StockFeed } from './stockFeed.ts'
import { httpSupplier } from './suppliers/httpSupplier.ts'
import type { ResilientSupplier } from './suppliers/resilientSupplier.ts'
import { supplierMetrics } from './suppliers/supplierMetrics.ts'
import { supplierServices, type SupplierServices } from './suppliers/supplierServices.ts'
import type { SupplierAdapter } from './suppliers/supplier.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Inventory only: the live stock feed (tests count its subscribers). */
    stockFeed?: StockFeed
    /** Inventory only: places AUTO purchase orders with the supplier (tests run a pass at will). */
    placementWorker?: PlacementWorker
    /** Inventory only: the supplier's incidents, when one is configured (tests wait for them to be recorded and posted). */
    supplierIncidents?: SupplierServices['incidents']
  }
}

export interface Context extends RequestBase {
  readonly loaders: Loaders
  readonly stockFeed: StockFeed
  /** The supplier AUTO orders were placed with, told of their cancellation (null without SUPPLIER_URL). */
  readonly supplier: SupplierAdapter | null
}

/**
 * What requests share: the stock feed, which `start` attaches to the bus once the app (and its
 * logger) exists, and the supplier AUTO replenishment places orders with, with its incidents
 * (null without SUPPLIER_URL).
 */
interface Services {
  stockFeed: StockFeed | null
  readonly supplier: ResilientSupplier | null
  readonly supplierIncidents: SupplierServices['incidents'] | null
}

/**
 * The supplier at SUPPLIER_URL behind its timeout, retries and breaker, whose opening raises an
 * incident; one per app, so every placement shares the breaker. The logger is the one the app
 * will have (the host's, or one of the same options), as finance's payment provider gets.
 */
function configuredSupplier(deps: SubgraphDeps): SupplierServices | null {
  const { config } = deps
  if (!config.supplierUrl) return null
  return supplierServices(httpSupplier({ url: config.supplierUrl, apiKey: config.supplierApiKey }), {
    db: deps.db,
    config,
    logger: deps.logger ?? pinoLogger(config, kit.name),
  })
}

/**
 * Locations, items, levels, reservations, the ledger, demand and replenishment (AUTO orders placed
 * with the supplier by the placement worker); consumes order events, publishes StockLevelChanged,
 * AllocationFailed, PurchaseOrderSubmitted, PurchaseOrderPlaced and PurchaseOrderReceived.
 */
export const inventory = defineSubgraph<Context, Services>({
  name: kit.name,
  folder: new URL('./', import.meta.url),
  resolvers,
  seed: seedInventory,
  services: (deps) => {
    const supplier = configuredSupplier(deps)
    return { stockFeed: null, supplier: supplier?.supplier ?? null, supplierIncidents: supplier?.incidents ?? null }
  },
  // the app serves no request before `start` has returned, so the feed is there by then
  context: (request, services) => ({
    ...request,
    loaders: createLoaders(request.db, request.viewer, request.cache),
    stockFeed: services.stockFeed as StockFeed,
    supplier: services.supplier,
  }),
  subscriptions: true,
  cache: inventoryCache,
  consumers: () => [orderEventsHandler],
  async start(app, deps, services) {
    const sweeper = startReservationSweeper(deps.db, app.log)
    const review = startReplenishmentReview(deps.db, app.log, deps.config.replenishmentReviewMs)
    if (app.metrics && services.supplier) supplierMetrics(app.metrics, services.supplier)
    if (services.supplierIncidents) app.decorate('supplierIncidents', services.supplierIncidents)
    const { config } = deps
    const placements = startPlacementWorker({
      db: deps.db,
      supplier: services.supplier,
      maxAttempts: config.supplierPlacementAttempts,
      // one placement with its retries and their pauses (at most 2 s each), and a margin
      leaseMs: config.supplierTimeoutMs * (config.supplierRetries + 1) + 2000 * config.supplierRetries + 5000,
      retryBaseMs: config.circuitOpenMs,
      logger: app.log,
    })
    app.decorate('placementWorker', placements)
    // every replica is woken by a new order; one of them takes it (claimPlacements)
    const submitted = deps.bus
      ? await deps.bus.tail({ subjects: ['commerce.inventory.Replenishment.PurchaseOrderSubmitted'], onEvent: () => placements.wake() })
      : null
    // orders left SUBMITTED when the service last stopped
    placements.wake()
    // partners' files, handed over by the gateway (POST /partner/feeds/<kind>)
    await serveFeedEndpoint(app, { db: deps.db, config: deps.config, onCommitted: async (events) => app.cache?.committed(events) })
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
      await review.stop()
      await submitted?.stop()
      await placements.stop()
      // after the worker: its last placement may still have moved the breaker
      await services.supplierIncidents?.close()
      await stockFeed.stop()
    }
  },
})
