import { readFileSync } from 'node:fs'
import { buildSubgraphSchema } from '@apollo/subgraph'
import type { FastifyInstance } from 'fastify'
import { parse } from 'graphql'
import type { SubgraphDeps } from '../../platform/subgraph.ts'
import { buildSubgraphApp } from '../../platform/subgraphServer.ts'
import type { Context } from './context.ts'
import { createLoaders } from './loaders.ts'
import { resolvers } from './resolvers.ts'

export async function buildCatalogApp(deps: SubgraphDeps): Promise<FastifyInstance> {
  const schema = buildSubgraphSchema({ typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')), resolvers })
  return buildSubgraphApp<Context>({
    name: 'catalog',
    schema,
    config: deps.config,
    ...(deps.logger ? { logger: deps.logger } : {}),
    context: (viewer) => ({ viewer, db: deps.db, config: deps.config, loaders: createLoaders(deps.db, viewer) }),
    // catalog consumes nothing; its relay publishes VariantPricesChanged
    ...(deps.bus ? { events: { bus: deps.bus, db: deps.db, handlers: [], maxDeliveries: deps.config.eventMaxDeliveries } } : {}),
  })
}
