import { ApolloGateway, type SupergraphManager } from '@apollo/gateway'
import { loggerOptions } from '../platform/logging.ts'
import { activeSpan, traceRequests } from '../platform/tracing.ts'
import { viewerKind, type Viewer } from '../platform/viewer.ts'
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server'
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled'
import { fastifyApolloHandler } from '@as-integrations/fastify'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Bus } from '../platform/bus.ts'
import type { Config } from '../platform/config.ts'
import type { SubgraphName } from '../platform/subgraphRegistry.ts'
import { viewerFromAuthorization } from './auth.ts'
import type { GatewayContext } from './context.ts'
import { formatGatewayError } from './formatError.ts'
import { serveEdgeAdmin } from './admin/edgeAdmin.ts'
import { servePartnerFeeds } from './partnerFeeds.ts'
import { withEnforcedSecurityFeatures } from '../contracts/securityFeatures.ts'
import { drainOnClose } from '../platform/drainOnClose.ts'
import { graphqlErrorHandler, methodNotAllowed } from '../platform/httpErrors.ts'
import { limitResponseSize } from '../platform/responseSizeLimit.ts'
import { edgePlugin } from './limits/edgePlugin.ts'
import { createOperationGuard, type Admission } from './limits/operationGuard.ts'
import { persistedOperationsOverLimits } from './limits/persistedOperationLimits.ts'
import { clientKeyOf, createRateLimiter } from './rateLimit/rateLimiter.ts'
import { createAnomalyDetector } from './anomaly/anomalyDetector.ts'
import { withLimitCode } from './limits/tokenLimit.ts'
import { checkReadiness, type ServiceEndpoint } from './readiness.ts'
import { serveReadiness } from '../platform/readiness.ts'
import { mergingExecutor } from './mergeInFlight.ts'
import { gatewayMetrics, type GatewayMetrics } from './metrics.ts'
import { serveMetrics } from '../platform/metrics.ts'
import { createResponseCache, type ResponseCache } from './responseCache.ts'
import { withExecutor } from './withExecutor.ts'
import { createSubgraphDataSource } from './subgraphDataSource.ts'
import { createSubgraphTransport, type SubgraphTransport } from '../platform/subgraphTransport.ts'
import { supergraphFromFile } from './supergraphFile.ts'
import { createTrustedDocuments } from './trustedDocuments.ts'
import { refuseSimplePosts } from './httpCsrf.ts'
import { graphqlHttpPlugin, refuseUnacceptable } from './httpResponse.ts'
import { SubscriptionHub, type SubscriptionHubOptions } from './subscriptions/hub.ts'
import { subgraphsOf } from './subscriptions/apolloAdapter.ts'
import { buildSupergraphRuntime, type SupergraphRuntime } from './subscriptions/runtime.ts'
import { serveGraphQLOverWebSocket } from './subscriptions/socket.ts'
import { createOperatorConsole } from './console/operatorConsole.ts'
import { serveUi } from './ui/serveUi.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Gateway only: the subscription path (benchmarks and tests look inside). */
    subscriptions?: { readonly hub: SubscriptionHub; runtime(): SupergraphRuntime | null }
    /** Gateway only: the response cache, null when off (tests clear it). */
    responseCache?: ResponseCache | null
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
  /**
   * The bus the subgraphs publish on (the in-process one in embedded mode, NATS otherwise): with
   * it, and CACHE on, the gateway caches shareable answers and drops them as events arrive.
   */
  readonly bus?: Bus
  /** The clock of rate-limit buckets (in memory) and the anomaly detector's windows; tests drive time with it. */
  readonly clock?: () => number
}

/**
 * The gateway: Fastify + @apollo/server + @apollo/gateway at `/graphql`, `/healthz` (the process
 * is alive), `/readyz` (every subgraph of the current supergraph answers; 503 `draining` once
 * the shutdown began) and
 * `/metrics/trusted-documents` (known, unknown and refused operation counts). Never listens.
 */
export async function buildGatewayApp(deps: GatewayDeps): Promise<FastifyInstance> {
  const { config } = deps
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: loggerOptions(config, 'gateway') }),
    bodyLimit: 1024 * 1024,
    // a connection silent for longer than any request may take is closed: idle ones cannot pile up
    connectionTimeout: config.requestTimeoutMs + 15_000,
    // X-Forwarded-For names the client only when the peer is a proxy we run
    trustProxy: config.trustedProxies.length > 0 ? [...config.trustedProxies] : false,
  }) as unknown as FastifyInstance
  traceRequests(app, 'gateway')
  app.setErrorHandler(graphqlErrorHandler)
  app.setNotFoundHandler(methodNotAllowed('/graphql', ['GET', 'POST', 'OPTIONS']))
  const refusals: Record<string, number> = {}
  limitResponseSize(app, { path: '/graphql', maxBytes: config.maxResponseBytes, onRefused: () => void (refusals['RESPONSE_TOO_LARGE'] = (refusals['RESPONSE_TOO_LARGE'] ?? 0) + 1) })

  // persisted operations are measured when the manifests or the schema load (set below, once both exist)
  let checkPersistedOperations = (): void => {}
  // before anything starts: in enforce mode a manifest that does not load stops the gateway here
  const trustedDocuments =
    config.trustedDocuments === 'off'
      ? undefined
      : createTrustedDocuments({
          config,
          logger: app.log,
          isStaff: async (request) => (await viewerFromAuthorization(request.headers.authorization, config)).roles.includes('staff'),
          onLoad: () => checkPersistedOperations(),
        })

  let services: ServiceEndpoint[] = []
  const routingUrl = (name: string, url: string) => config.subgraphUrls[name as SubgraphName] ?? url
  // identical query fetches in flight share one subgraph call (counted at /metrics/edge)
  let sharedFetches = 0
  let mergedQueries = 0
  // set once the pieces it reads exist (below); fetches only start after that
  let metrics: GatewayMetrics | null = null
  // one transport per subgraph (breaker, retry budget), whichever data source calls it
  const transports = new Map<string, SubgraphTransport>()
  const transportUrls = new Map<string, string>()
  const transportFor = (name: string, url: string): SubgraphTransport => {
    const urls = config.subgraphReplicaUrls[name as SubgraphName] ?? [url]
    let transport = transports.get(name)
    // a new supergraph may route the subgraph elsewhere: a new transport for the new URLs
    if (transport && transportUrls.get(name) !== urls.join(',')) {
      transport.close()
      transport = undefined
    }
    if (!transport) {
      transportUrls.set(name, urls.join(','))
      transport = createSubgraphTransport({
        name,
        urls,
        onReplicaChange: (replica, up) =>
          (up ? app.log.info.bind(app.log) : app.log.warn.bind(app.log))({ subgraph: name, replica: new URL(replica).host, up }, `subgraph ${name} replica ${new URL(replica).host} ${up ? 'back' : 'set aside'}`),
        timeoutMs: config.subgraphTimeoutMs,
        maxRetries: config.subgraphRetries,
        breaker: { openMs: config.circuitOpenMs },
        onBreakerChange: (state, previous) =>
          (state === 'open' ? app.log.warn.bind(app.log) : app.log.info.bind(app.log))({ subgraph: name, state, previous }, `circuit to subgraph ${name}: ${state}`),
      })
      transports.set(name, transport)
    }
    return transport
  }
  const dataSourceFor = (name: string, url: string) =>
    createSubgraphDataSource({
      transport: transportFor(name, url),
      name,
      url,
      signingSecret: config.viewerSigningSecret,
      timeoutMs: config.subgraphTimeoutMs,
      maxResponseBytes: config.maxResponseBytes,
      deduplicate: config.deduplication.fetches,
      onDeduplicated: () => void sharedFetches++,
      onFetched: (seconds, outcome) => metrics?.fetched(name, seconds, outcome),
    })
  // @apollo/gateway otherwise reports usage to Apollo's servers every hour, probing cloud
  // metadata addresses first: this gateway calls nothing but its subgraphs
  process.env['APOLLO_TELEMETRY_DISABLED'] = 'true'
  const gateway = new ApolloGateway({
    // @authenticated / @requiresScopes are enforced here (the edge plugin), so Apollo may load them
    supergraphSdl: withEnforcedSecurityFeatures(deps.supergraph ?? supergraphFromFile(config.supergraphPath, app.log)),
    logger: app.log,
    buildService: ({ name, url }) => dataSourceFor(name, routingUrl(name, url ?? '')),
  })
  // before Apollo starts: the console sees the first supergraph load and counts every operation
  const operatorConsole = createOperatorConsole({ config, gateway })
  // the subscription path plans with the same supergraph, rebuilt whenever it changes
  let runtime: SupergraphRuntime | null = null
  const guard = createOperationGuard(config)
  const anomalies = config.anomaly.enabled
    ? createAnomalyDetector({
        ...config.anomaly,
        ...(deps.clock ? { now: deps.clock } : {}),
        onChange: ({ kind, state }) =>
          app.log.warn({ anomaly: kind, client: state.clientKey, cohort: state.cohort, reasons: state.reasons, factor: state.factor }, kind === 'throttled' ? 'client throttled: traffic departs from its baseline' : 'client recovered its budget'),
      })
    : null
  checkPersistedOperations = () => {
    if (!trustedDocuments || !runtime) return
    for (const { client, name, violation } of persistedOperationsOverLimits(runtime.apiSchema, trustedDocuments.operations(), guard, config.limits)) {
      app.log.error({ client, operation: name, code: violation.code, limit: violation.limit, actual: violation.actual }, 'persisted operation over an operation limit: it will be refused')
    }
  }
  const rateLimiter = config.rateLimit.enabled
    ? createRateLimiter({
        config,
        logger: app.log,
        ...(anomalies ? { factor: (clientKey: string) => anomalies.factor(clientKey) } : {}),
        ...(deps.clock ? { now: deps.clock } : {}),
      })
    : null
  const charge = rateLimiter
    ? (context: GatewayContext, admission: Admission) => rateLimiter.charge(clientKeyOf(context.viewer, context.clientIp), admission.role, admission.measures.cost)
    : undefined
  const observe = anomalies
    ? (context: GatewayContext, { role, measures }: Admission, failed: boolean) =>
        anomalies.observe({
          clientKey: clientKeyOf(context.viewer, context.clientIp),
          cohort: role,
          cost: measures.cost,
          keys: measures.keys,
          stockRead: measures.graphs.has('INVENTORY'),
          error: failed,
        })
    : undefined
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    guard.update(coreSupergraphSdl)
    services = subgraphsOf(coreSupergraphSdl).map((subgraph) => ({
      name: subgraph.name,
      urls: config.subgraphReplicaUrls[subgraph.name as SubgraphName] ?? [routingUrl(subgraph.name, subgraph.url)],
    }))
    try {
      runtime = buildSupergraphRuntime(coreSupergraphSdl, routingUrl, dataSourceFor, config.limits.maxTokens)
    } catch (error) {
      app.log.error({ err: error }, 'the supergraph cannot be planned for subscriptions; keeping the previous one')
    }
    checkPersistedOperations()
  })
  const hub = new SubscriptionHub({
    signingSecret: config.viewerSigningSecret,
    // upstream WebSockets go to the replicas the subgraph's transport believes up
    replicas: {
      pick: (name, url) => transportFor(name, url).pickReplica(),
      failed: (name, url, replica) => transportFor(name, url).replicaFailed(replica),
    },
    logger: app.log,
    maxBufferedEvents: config.websocket.maxBufferedEvents,
    ...deps.subscriptionHub,
  })

  // answers made only of shareable data come from the response cache; identical queries in flight
  // beyond it run once
  const responseCache: ResponseCache | null = config.cache.enabled && deps.bus ? await createResponseCache({ config, bus: deps.bus, logger: app.log }) : null
  let sockets: { readonly connections: number } = { connections: 0 }
  metrics = gatewayMetrics(serveMetrics(app, 'gateway'), {
    refusals,
    deduplication: () => ({ mergedQueries, sharedSubgraphFetches: sharedFetches }),
    responseCache,
    subscriptions: () => ({ ...hub.metrics(), connections: sockets.connections }),
    transports: () => transports,
  })
  const apollo = new ApolloServer<GatewayContext>({
    gateway: withExecutor(gateway, (executor) => {
      const merged = config.deduplication.queries ? mergingExecutor(executor, { onMerged: () => void mergedQueries++ }) : executor
      return responseCache ? responseCache.wrap(merged) : merged
    }),
    logger: app.log,
    // on for staff only in production: the edge plugin refuses it to everyone else
    introspection: true,
    // the parser stops at MAX_TOKENS: a huge document costs no more than the limit to refuse
    parseOptions: { maxTokens: config.limits.maxTokens },
    includeStacktraceInErrorResponses: false,
    // replaced by refuseSimplePosts (httpCsrf.ts): Apollo's also refuses GETs without a preflight header
    csrfPrevention: false,
    // the process's own shutdown closes the app (draining sockets first); Apollo's handlers would
    // stop the server and re-raise the signal, killing open sockets with no close frame
    stopOnTerminationSignals: false,
    formatError: (formatted, error) => {
      const safe = formatGatewayError(withLimitCode(formatted))
      if (safe.extensions?.['code'] === 'INTERNAL_SERVER_ERROR') app.log.error({ err: error }, 'unexpected gateway error')
      return safe
    },
    // no fastifyApolloDrainPlugin: its drain calls fastify.close() from inside our onClose hook and
    // never returns; fastify's own close already stops accepting and waits for in-flight requests
    plugins: [
      edgePlugin({ guard, production: config.nodeEnv === 'production', ...(charge ? { charge } : {}), ...(observe ? { observe } : {}), refusals }),
      // after the edge plugin: the status follows the errors it leaves
      graphqlHttpPlugin(),
      metrics.plugin,
      {
        async requestDidStart() {
          return {
            async didResolveOperation({ contextValue, operationName, operation }) {
              contextValue.nameOperation?.(operationName ?? null, operation?.operation ?? null)
            },
          }
        },
      },
      operatorConsole.plugin,
      // Apollo's landing page loads its sandbox from the internet: browsers get the gateway's own GraphiQL (gateway/ui/)
      ApolloServerPluginLandingPageDisabled(),
      ...(deps.apolloPlugins ?? []),
    ],
  })
  await apollo.start()

  app.route({
    url: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    preHandler: [refuseSimplePosts, refuseUnacceptable, ...(trustedDocuments ? [trustedDocuments.preHandler] : [])],
    handler: fastifyApolloHandler(apollo, {
      context: async (request, reply) => {
        const viewer = await viewerFromAuthorization(request.headers.authorization, config)
        return { viewer, signal: AbortSignal.timeout(config.requestTimeoutMs), clientIp: request.ip, nameOperation: describeRequest(request, reply, viewer) }
      },
    }),
  })
  // registered after the socket server: its preClose drains the sockets first
  sockets = serveGraphQLOverWebSocket({ app, config, runtime: () => runtime, hub, apollo, trustedDocuments, guard, rateLimiter })
  app.decorate('subscriptions', { hub, runtime: () => runtime })
  app.decorate('responseCache', responseCache)
  app.get('/metrics/cache', async () => responseCache?.stats() ?? { enabled: false, storage: 'off' })
  drainOnClose(app, { maxWaitMs: config.requestTimeoutMs })
  app.get('/metrics/subscriptions', async () => ({ connections: sockets.connections, ...hub.metrics() }))
  app.get('/healthz', async () => ({ status: 'ok' }))
  // counts only: which clients are throttled, and why, is for staff (/admin/graphql)
  app.get('/metrics/edge', async () => {
    const snapshot = anomalies?.snapshot()
    return { refusals, clientsTracked: snapshot?.clients ?? 0, clientsThrottled: snapshot?.throttled.length ?? 0, sharedSubgraphFetches: sharedFetches, mergedQueries }
  })
  serveEdgeAdmin(app, {
    config,
    refusals,
    anomalies,
    rateLimiter,
    viewerOf: (authorization) => viewerFromAuthorization(authorization, config).catch(() => null),
  })
  // partners' stock snapshots and shipment confirmations, handed to inventory (its body limit is this route's own)
  await servePartnerFeeds(app, { config, rateLimiter, inventoryUrls: () => services.find((service) => service.name === 'inventory')?.urls ?? [] })
  app.get('/metrics/trusted-documents', async () => trustedDocuments?.stats() ?? { mode: 'off' })
  // GraphiQL at /graphiql (browsers opening /graphql land there) and the staff console at /console
  serveUi(app, { config, trustedDocuments, operatorConsole })
  // 503 `draining` once the process's shutdown begins (platform/readiness.ts)
  serveReadiness(app, async () => {
    const readiness = await checkReadiness(services, config.viewerSigningSecret)
    return { ready: readiness.ready, details: { services: readiness.services } }
  })
  app.addHook('onClose', async () => {
    trustedDocuments?.close()
    await apollo.stop()
    await rateLimiter?.close()
    await responseCache?.close()
    for (const transport of transports.values()) transport.close()
  })
  return app
}

/**
 * For entry points: the gateway, or (e.g. a malformed manifest in TRUSTED_DOCUMENTS=enforce) the
 * reason on stderr and exit 1 after `beforeExit`: refuse to serve without a contract.
 */
export async function buildGatewayAppOrExit(deps: GatewayDeps, beforeExit: () => Promise<void> = async () => {}): Promise<FastifyInstance> {
  try {
    return await buildGatewayApp(deps)
  } catch (error) {
    console.error(`gateway not started: ${error instanceof Error ? error.message : String(error)}`)
    await beforeExit()
    process.exit(1)
  }
}

/**
 * The request's log lines (its "request completed" too) and its server span name the viewer,
 * its kind and subject (never its token), and, once Apollo has resolved it, the operation.
 */
function describeRequest(request: FastifyRequest, reply: FastifyReply, viewer: Viewer): NonNullable<GatewayContext['nameOperation']> {
  const kind = viewerKind(viewer)
  const span = activeSpan()
  span?.setAttributes({ 'commerce.viewer.kind': kind, ...(viewer.sub ? { 'enduser.id': viewer.sub } : {}) })
  request.log = request.log.child({ viewer: { kind, sub: viewer.sub } })
  reply.log = request.log
  return (name, type) => {
    request.log = request.log.child({ operationName: name })
    reply.log = request.log
    if (span && name) span.setAttribute('graphql.operation.name', name)
    if (span && type) span.setAttribute('graphql.operation.type', type)
  }
}
