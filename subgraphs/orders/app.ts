import { readFileSync } from 'node:fs'
import { buildSubgraphSchema } from '@apollo/subgraph'
import type { FastifyInstance } from 'fastify'
import { parse } from 'graphql'
import type { SubgraphDeps } from '../../platform/subgraph.ts'
import { buildSubgraphApp } from '../../platform/subgraphServer.ts'
import type { Context } from './context.ts'
import { createLoaders } from './loaders.ts'
import { resolvers } from './resolvers.ts'

export async function buildOrdersApp(deps: SubgraphDeps): Promise<FastifyInstance> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
    resolvers,
  })
  return buildSubgraphApp<Context>({
    name: 'orders',
    schema,
    config: deps.config,
    ...(deps.logger ? { logger: deps.logger } : {}),
    context: (viewer) => ({ viewer, db: deps.db, config: deps.config, loaders: createLoaders(deps.db) }),
  })
}
