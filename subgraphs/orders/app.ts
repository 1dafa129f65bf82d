import { readFileSync } from 'node:fs'
import { buildSubgraphSchema } from '@apollo/subgraph'
import type { FastifyInstance } from 'fastify'
import { parse } from 'graphql'
import { subgraphUrlFrom, type SubgraphDeps } from '../../platform/subgraph.ts'
import { buildSubgraphApp } from '../../platform/subgraphServer.ts'
import { catalogEvents } from './consumers/catalogEvents.ts'
import { inventoryEvents } from './consumers/inventoryEvents.ts'
import { paymentEvents } from './consumers/paymentEvents.ts'
import type { Context } from './context.ts'
import { createInventoryClient } from './inventoryClient.ts'
import { createLoaders } from './loaders.ts'
import { resolvers } from './resolvers.ts'

export async function buildOrdersApp(deps: SubgraphDeps): Promise<FastifyInstance> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
    resolvers,
  })
  const urlOf = deps.subgraphUrl ?? subgraphUrlFrom(deps.config)
  const inventory = createInventoryClient({
    url: () => urlOf('inventory'),
    signingSecret: deps.config.viewerSigningSecret,
    timeoutMs: deps.config.subgraphTimeoutMs,
  })
  return buildSubgraphApp<Context>({
    name: 'orders',
    schema,
    config: deps.config,
    ...(deps.logger ? { logger: deps.logger } : {}),
    context: (viewer) => ({ viewer, db: deps.db, config: deps.config, loaders: createLoaders(deps.db), inventory }),
    ...(deps.bus
      ? {
          events: {
            bus: deps.bus,
            db: deps.db,
            handlers: [paymentEvents, inventoryEvents, catalogEvents],
            maxDeliveries: deps.config.eventMaxDeliveries,
          },
        }
      : {}),
  })
}
