import { readFileSync } from 'node:fs'
import { buildSubgraphSchema } from '@apollo/subgraph'
import type { FastifyInstance } from 'fastify'
import { parse } from 'graphql'
import type { SubgraphDeps } from '../../platform/subgraph.ts'
import { buildSubgraphApp } from '../../platform/subgraphServer.ts'
import { orderEventsHandler } from './consumers/orderEvents.ts'
import type { Context } from './context.ts'
import { createLoaders } from './loaders.ts'
import { startReservationSweeper, type ReservationSweeper } from './reservationSweeper.ts'
import { resolvers } from './resolvers.ts'
import { startStockFeed, type StockFeed } from './stockFeed.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Inventory only: the live stock feed (tests count its subscribers). */
    stockFeed?: StockFeed
  }
}

export async function buildInventoryApp(deps: SubgraphDeps): Promise<FastifyInstance> {
  const schema = buildSubgraphSchema({ typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')), resolvers })
  let sweeper: ReservationSweeper | null = null
  // attached to the bus once the app (and its logger) exists, before the relay starts publishing
  let stockFeed: StockFeed | null = null
  const app = await buildSubgraphApp<Context>({
    name: 'inventory',
    schema,
    config: deps.config,
    ...(deps.logger ? { logger: deps.logger } : {}),
    context: (viewer) => ({ viewer, db: deps.db, config: deps.config, loaders: createLoaders(deps.db, viewer), stockFeed: stockFeed as StockFeed }),
    subscriptions: true,
    onClose: async () => {
      sweeper?.stop()
      await stockFeed?.stop()
    },
    // without a bus (unit tests) the outbox just fills; with one, the relay publishes it
    ...(deps.bus
      ? { events: { bus: deps.bus, db: deps.db, handlers: [orderEventsHandler], maxDeliveries: deps.config.eventMaxDeliveries } }
      : {}),
  })
  sweeper = startReservationSweeper(deps.db, app.log)
  stockFeed = await startStockFeed({ db: deps.db, bus: deps.bus ?? null, retentionMs: deps.config.eventLogRetentionHours * 3600_000, logger: app.log })
  app.decorate('stockFeed', stockFeed)
  return app
}
