import { ApolloGateway, type SupergraphManager } from '@apollo/gateway'
import { ApolloServer } from '@apollo/server'
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled'
import { fastifyApolloHandler } from '@as-integrations/fastify'
import { Supergraph } from '@apollo/federation-internals'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Config, SubgraphName } from '../platform/config.ts'
import { viewerFromAuthorization } from './auth.ts'
import type { GatewayContext } from './context.ts'
import { formatGatewayError } from './formatError.ts'
import { checkReadiness, type ServiceEndpoint } from './readiness.ts'
import { createSubgraphDataSource } from './subgraphDataSource.ts'
import { supergraphFromFile } from './supergraphFile.ts'

export interface GatewayDeps {
  readonly config: Readonly<Config>
  /** Default: the file at config.supergraphPath, reloaded on change. */
  readonly supergraph?: SupergraphManager | string
  readonly logger?: FastifyBaseLogger
}

/**
 * The gateway: Fastify + @apollo/server + @apollo/gateway at `/graphql`, `/healthz` (the process
 * is alive) and `/readyz` (every subgraph of the current supergraph answers). Never listens.
 */
export async function buildGatewayApp(deps: GatewayDeps): Promise<FastifyInstance> {
  const { config } = deps
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: { level: config.logLevel, name: 'gateway' } }),
    bodyLimit: 1024 * 1024,
  }) as unknown as FastifyInstance

  let services: ServiceEndpoint[] = []
  const routingUrl = (name: string, url: string) => config.subgraphUrls[name as SubgraphName] ?? url
  const gateway = new ApolloGateway({
    supergraphSdl: deps.supergraph ?? supergraphFromFile(config.supergraphPath, app.log),
    logger: app.log,
    buildService: ({ name, url }) =>
      createSubgraphDataSource({
        name,
        url: routingUrl(name, url ?? ''),
        signingSecret: config.viewerSigningSecret,
        timeoutMs: config.subgraphTimeoutMs,
      }),
  })
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    services = Supergraph.build(coreSupergraphSdl)
      .subgraphs()
      .values()
      .map((subgraph) => ({ name: subgraph.name, url: routingUrl(subgraph.name, subgraph.url) }))
  })

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    logger: app.log,
    introspection: config.nodeEnv !== 'production',
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => {
      const safe = formatGatewayError(formatted)
      if (safe.extensions?.['code'] === 'INTERNAL_SERVER_ERROR') app.log.error({ err: error }, 'unexpected gateway error')
      return safe
    },
    // no fastifyApolloDrainPlugin: its drain calls fastify.close() from inside our onClose hook and
    // never returns; fastify's own close already stops accepting and waits for in-flight requests
    plugins: config.nodeEnv === 'production' ? [ApolloServerPluginLandingPageDisabled()] : [],
  })
  await apollo.start()

  app.route({
    url: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    handler: fastifyApolloHandler(apollo, {
      context: async (request) => ({ viewer: await viewerFromAuthorization(request.headers.authorization, config) }),
    }),
  })
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_request, reply) => {
    const readiness = await checkReadiness(services, config.viewerSigningSecret)
    return reply.code(readiness.ready ? 200 : 503).send({ status: readiness.ready ? 'ready' : 'unavailable', services: readiness.services })
  })
  app.addHook('onClose', async () => {
    await apollo.stop()
  })
  return app
}
