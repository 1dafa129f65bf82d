import { ApolloGateway, type SupergraphManager } from '@apollo/gateway'
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server'
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
import { createTrustedDocuments } from './trustedDocuments.ts'
import { SubscriptionHub, type SubscriptionHubOptions } from './subscriptions/hub.ts'
import { buildSupergraphRuntime, type SupergraphRuntime } from './subscriptions/runtime.ts'
import { serveGraphQLOverWebSocket } from './subscriptions/socket.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Gateway only: the subscription path (benchmarks and tests look inside). */
    subscriptions?: { readonly hub: SubscriptionHub; runtime(): SupergraphRuntime | null }
  }
}

export interface GatewayDeps {
  readonly config: Readonly<Config>
  /** Default: the file at config.supergraphPath, reloaded on change. */
  readonly supergraph?: SupergraphManager | string
  readonly logger?: FastifyBaseLogger
  /** Extra Apollo Server plugins (tests observe the request pipeline with them). */
  readonly apolloPlugins?: readonly ApolloServerPlugin<GatewayContext>[]
  /** Subscription tuning that is not configuration (tests force its edge cases). */
  readonly subscriptionHub?: Pick<SubscriptionHubOptions, 'maxPendingEvents' | 'retry'>
}

/**
 * The gateway: Fastify + @apollo/server + @apollo/gateway at `/graphql`, `/healthz` (the process
 * is alive), `/readyz` (every subgraph of the current supergraph answers) and
 * `/metrics/trusted-documents` (known, unknown and refused operation counts). Never listens.
 */
export async function buildGatewayApp(deps: GatewayDeps): Promise<FastifyInstance> {
  const { config } = deps
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: { level: config.logLevel, name: 'gateway' } }),
    bodyLimit: 1024 * 1024,
  }) as unknown as FastifyInstance

  // before anything starts: in enforce mode a manifest that does not load stops the gateway here
  const trustedDocuments =
    config.trustedDocuments === 'off'
      ? undefined
      : createTrustedDocuments({
          config,
          logger: app.log,
          isStaff: async (request) => (await viewerFromAuthorization(request.headers.authorization, config)).roles.includes('staff'),
        })

  let services: ServiceEndpoint[] = []
  const routingUrl = (name: string, url: string) => config.subgraphUrls[name as SubgraphName] ?? url
  const dataSourceFor = (name: string, url: string) =>
    createSubgraphDataSource({ name, url, signingSecret: config.viewerSigningSecret, timeoutMs: config.subgraphTimeoutMs })
  const gateway = new ApolloGateway({
    supergraphSdl: deps.supergraph ?? supergraphFromFile(config.supergraphPath, app.log),
    logger: app.log,
    buildService: ({ name, url }) => dataSourceFor(name, routingUrl(name, url ?? '')),
  })
  // the subscription path plans with the same supergraph, rebuilt whenever it changes
  let runtime: SupergraphRuntime | null = null
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    services = Supergraph.build(coreSupergraphSdl)
      .subgraphs()
      .values()
      .map((subgraph) => ({ name: subgraph.name, url: routingUrl(subgraph.name, subgraph.url) }))
    try {
      runtime = buildSupergraphRuntime(coreSupergraphSdl, routingUrl, dataSourceFor)
    } catch (error) {
      app.log.error({ err: error }, 'the supergraph cannot be planned for subscriptions; keeping the previous one')
    }
  })
  const hub = new SubscriptionHub({
    signingSecret: config.viewerSigningSecret,
    logger: app.log,
    maxBufferedEvents: config.websocket.maxBufferedEvents,
    ...deps.subscriptionHub,
  })

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    logger: app.log,
    introspection: config.nodeEnv !== 'production',
    includeStacktraceInErrorResponses: false,
    // the process's own shutdown closes the app (draining sockets first); Apollo's handlers would
    // stop the server and re-raise the signal, killing open sockets with no close frame
    stopOnTerminationSignals: false,
    formatError: (formatted, error) => {
      const safe = formatGatewayError(formatted)
      if (safe.extensions?.['code'] === 'INTERNAL_SERVER_ERROR') app.log.error({ err: error }, 'unexpected gateway error')
      return safe
    },
    // no fastifyApolloDrainPlugin: its drain calls fastify.close() from inside our onClose hook and
    // never returns; fastify's own close already stops accepting and waits for in-flight requests
    plugins: [...(config.nodeEnv === 'production' ? [ApolloServerPluginLandingPageDisabled()] : []), ...(deps.apolloPlugins ?? [])],
  })
  await apollo.start()

  app.route({
    url: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    ...(trustedDocuments ? { preHandler: trustedDocuments.preHandler } : {}),
    handler: fastifyApolloHandler(apollo, {
      context: async (request) => ({ viewer: await viewerFromAuthorization(request.headers.authorization, config) }),
    }),
  })
  const sockets = serveGraphQLOverWebSocket({ app, config, runtime: () => runtime, hub, apollo, trustedDocuments })
  app.decorate('subscriptions', { hub, runtime: () => runtime })
  app.get('/metrics/subscriptions', async () => ({ connections: sockets.connections, ...hub.metrics() }))
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/metrics/trusted-documents', async () => trustedDocuments?.stats() ?? { mode: 'off' })
  app.get('/readyz', async (_request, reply) => {
    const readiness = await checkReadiness(services, config.viewerSigningSecret)
    return reply.code(readiness.ready ? 200 : 503).send({ status: readiness.ready ? 'ready' : 'unavailable', services: readiness.services })
  })
  app.addHook('onClose', async () => {
    trustedDocuments?.close()
    await apollo.stop()
  })
  return app
}
