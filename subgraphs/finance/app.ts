import { readFileSync } from 'node:fs'
import { buildSubgraphSchema } from '@apollo/subgraph'
import type { FastifyInstance } from 'fastify'
import { parse } from 'graphql'
import type { SubgraphDeps } from '../../platform/subgraph.ts'
import { buildSubgraphApp } from '../../platform/subgraphServer.ts'
import { orderEventsHandler } from './consumers/orderEvents.ts'
import type { Context } from './context.ts'
import { createLoaders } from './loaders.ts'
import type { PaymentProvider } from './provider/paymentProvider.ts'
import { createSimulatedProvider } from './provider/simulatedProvider.ts'
import { resolvers } from './resolvers.ts'

export interface FinanceDeps extends SubgraphDeps {
  /** The payment provider adapter; default: the built-in deterministic one (test tokens). */
  readonly provider?: PaymentProvider
}

export async function buildFinanceApp(deps: FinanceDeps): Promise<FastifyInstance> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
    resolvers,
  })
  const provider = deps.provider ?? createSimulatedProvider()
  return buildSubgraphApp<Context>({
    name: 'finance',
    schema,
    config: deps.config,
    ...(deps.logger ? { logger: deps.logger } : {}),
    context: (viewer) => ({ viewer, db: deps.db, config: deps.config, loaders: createLoaders(deps.db, viewer), provider }),
    ...(deps.bus
      ? { events: { bus: deps.bus, db: deps.db, handlers: [orderEventsHandler(deps.db, provider)], maxDeliveries: deps.config.eventMaxDeliveries } }
      : {}),
  })
}
