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

export async function buildInventoryApp(deps: SubgraphDeps): Promise<FastifyInstance> {
  const schema = buildSubgraphSchema({ typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')), resolvers })
  let sweeper: ReservationSweeper | null = null
  const app = await buildSubgraphApp<Context>({
    name: 'inventory',
    schema,
    config: deps.config,
    ...(deps.logger ? { logger: deps.logger } : {}),
    context: (viewer) => ({ viewer, db: deps.db, config: deps.config, loaders: createLoaders(deps.db, viewer) }),
    onClose: () => sweeper?.stop(),
    // without a bus (unit tests) the outbox just fills; with one, the relay publishes it
    ...(deps.bus
      ? { events: { bus: deps.bus, db: deps.db, handlers: [orderEventsHandler], maxDeliveries: deps.config.eventMaxDeliveries } }
      : {}),
  })
  sweeper = startReservationSweeper(deps.db, app.log)
  return app
}
