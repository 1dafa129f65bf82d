import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify'
import { loggerOptions } from './logging.ts'
import { activeSpan, traceRequests } from './tracing.ts'
import mercurius from 'mercurius'
import { GraphQLError, parse, type GraphQLFormattedError, type GraphQLSchema } from 'graphql'
import type { Bus, ConsumerHandle } from './bus.ts'
import type { Config } from './config.ts'
import type { SubgraphName } from './subgraphRegistry.ts'
import { startConsumer, type ConsumerOptions, type EventHandler } from './consumer.ts'
import { gaugeOf, LATENCY_BUCKETS, serveMetrics } from './metrics.ts'
import { Counter, Histogram, type Registry } from 'prom-client'
import type { Database } from './db.ts'
import { startRelay, type Relay } from './relay.ts'
import { ERROR_CODES } from './errors.ts'
import { enforceDeadlines, withDeadline } from './requestDeadline.ts'
import { drainOnClose } from './drainOnClose.ts'
import { serveReadiness } from './readiness.ts'
import { timedPhase } from './shutdown.ts'
import { httpRefusalOf } from './httpErrors.ts'
import { createSubgraphGuard, type SubgraphGuard } from './limits/subgraphGuard.ts'
import { limitResponseSize } from './responseSizeLimit.ts'
import { authenticateSignedRequests, viewerFromConnectionParams } from './signedRequests.ts'
import { serveDeadLetterAdmin } from './deadLetterAdmin.ts'
import type { Viewer } from './viewer.ts'
import { useServer } from 'graphql-ws/use/ws'
import { WebSocketServer } from 'ws'
import { logSocketErrors } from './socketErrors.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Present on subgraphs that publish events: waits until the outbox is published. */
    relay?: { flush(): Promise<void> }
  }
}

export interface SubgraphAppOptions<Context> {
  readonly name: SubgraphName
  readonly schema: GraphQLSchema
  readonly config: Pick<
    Config,
    'viewerSigningSecret' | 'viewerSigningSecretPrevious' | 'logLevel' | 'eventLogRetentionHours' | 'maxResponseBytes' | 'subgraphTimeoutMs' | 'limits' | 'maxPageSize'
  >
  /** Builds the per-request context (DataLoaders are created here, once per request). */
  readonly context: (viewer: Viewer) => Context
  readonly logger?: FastifyBaseLogger
  /** Releases what the subgraph owns (timers, ...) when the app closes. */
  readonly onClose?: () => Promise<void> | void
  /**
   * Serve the schema's subscriptions over graphql-ws (`graphql-transport-ws`) on `/graphql`. The
   * gateway authenticates with the viewer signed over the connection_init marker in
   * `connection_init`'s payload (`{ headers: { 'x-commerce-viewer': … } }`); anything else is
   * closed with 4403.
   */
  readonly subscriptions?: boolean
  /**
   * The subgraph's part in the event flow: its outbox relay and its consumers. Consumers are
   * registered while the app is built and the relay starts when it is ready, so a host that builds
   * every app before starting any loses no event on the in-process bus.
   */
  readonly events?: {
    readonly bus: Bus
    readonly db: Database
    readonly handlers: readonly EventHandler<any>[]
    readonly maxDeliveries?: number
  }
}

/**
 * A subgraph: Fastify + mercurius serving a `buildSubgraphSchema` schema at `/graphql`. Every
 * GraphQL request must be a POST carrying the viewer header signed by the gateway over its exact
 * body; anything else is refused with UNAUTHENTICATED before the document is parsed. Resolvers
 * stop starting work SUBGRAPH_TIMEOUT_MS after execution began (REQUEST_TIMEOUT), and an answer
 * over MAX_RESPONSE_BYTES is replaced by RESPONSE_TOO_LARGE. Errors leave with a code and never
 * with a stack trace: an error without a code is logged and answered as INTERNAL_SERVER_ERROR.
 */
export async function buildSubgraphApp<Context>(options: SubgraphAppOptions<Context>): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: loggerOptions(options.config, options.name) }),
    bodyLimit: 1024 * 1024,
    // a connection silent for this long is closed (nothing legitimate waits longer: resolvers stop
    // at SUBGRAPH_TIMEOUT_MS), so idle connections cannot pile up
    connectionTimeout: options.config.subgraphTimeoutMs + 15_000,
  }) as unknown as FastifyInstance
  traceRequests(app, options.name)
  authenticateSignedRequests(app, { path: '/graphql', config: options.config })
  limitResponseSize(app, { path: '/graphql', maxBytes: options.config.maxResponseBytes })
  enforceDeadlines(options.schema)

  app.get('/healthz', async () => ({ status: 'ok', service: options.name }))
  // ready until the process's shutdown begins (platform/shutdown.ts)
  serveReadiness(app)
  const registry = serveMetrics(app, options.name)

  await app.register(mercurius, {
    schema: options.schema,
    path: '/graphql',
    graphiql: false,
    // no graphql-jit: its compiled plans lose keys of `_entities` representations written inline
    // with variables inside them, where graphql-js resolves them correctly
    // the deadline starts with execution; resolvers that would start past it throw REQUEST_TIMEOUT
    context: (request) => withDeadline(options.context(request.viewer) as object, Date.now() + options.config.subgraphTimeoutMs) as never,
    errorFormatter: (execution, ctx) => {
      // a request Fastify refused before GraphQL ran (body too large, ...): its own status and code
      const refused = (execution.errors ?? []).map((error) => httpRefusalOf(error.originalError)).find((r) => r !== null)
      if (refused) return { statusCode: refused.status, response: { data: null, errors: [{ message: refused.message, extensions: { code: refused.code } }] } }
      const log = (ctx as { reply?: { log: FastifyBaseLogger } }).reply?.log ?? app.log
      const errors = (execution.errors ?? []).flatMap((error) => flatten(error)).map((error) => sanitize(error, log))
      return { statusCode: 200, response: { data: execution.data ?? null, errors } }
    },
  })
  // this service's own depth and cost limits, whoever signed the call
  const guard = createSubgraphGuard(options.schema, options.config)
  app.graphql.addHook('preExecution', async (_schema, document, context, variables) => {
    const reply = (context as { reply?: FastifyReply }).reply
    const body = reply?.request.body as { operationName?: unknown } | undefined
    const operationName = typeof body?.operationName === 'string' ? body.operationName : undefined
    if (operationName) {
      activeSpan()?.setAttribute('graphql.operation.name', operationName)
      if (reply) reply.log = reply.request.log = reply.request.log.child({ operationName })
    }
    const refused = guard(document, operationName, variables)
    if (refused) throw refused
  })

  if (options.subscriptions) serveSubscriptions(app, options, guard)
  // last, so sockets are disposed first (their own preClose) and requests in flight are answered
  drainOnClose(app, { maxWaitMs: options.config.subgraphTimeoutMs })

  if (options.events) {
    const { bus, db, handlers, maxDeliveries } = options.events
    // staff list and replay this subgraph's dead letters here (the operator console, through the gateway)
    serveDeadLetterAdmin(app, { schema: options.name, db, config: options.config })
    const consumerOptions = { db, bus, schema: options.name, logger: app.log, ...(maxDeliveries ? { maxDeliveries } : {}), onOutcome: eventMetrics(registry, db, options.name) }
    const consumers: ConsumerHandle[] = []
    for (const handler of handlers) consumers.push(await startConsumer(consumerOptions, handler))
    let relay: Relay | null = null
    app.decorate('relay', { flush: async () => relay?.flush() })
    app.addHook('onReady', async () => {
      relay = startRelay({ db, bus, schema: options.name, logger: app.log, retentionMs: options.config.eventLogRetentionHours * 3600_000 })
    })
    app.addHook('onClose', async () => {
      // the relay gives up its lease (a replica takes over at once); consumers finish and ack the event in hand
      await timedPhase(app.log, 'relay', async () => relay?.stop())
      await timedPhase(app.log, 'consumers', () => Promise.all(consumers.map((consumer) => consumer.stop())))
    })
  }
  if (options.onClose) {
    const onClose = options.onClose
    app.addHook('onClose', async () => {
      await onClose()
    })
  }
  return app
}

/**
 * A subgraph's event flow in Prometheus: `events_consumed_total` (by consumer and outcome),
 * `event_consumer_lag_seconds` (from the event's occurrence to its effect's commit), the outbox
 * backlog and the age of its oldest unpublished event (the relay's lag), dead letters not yet
 * replayed, and the database pool. The backlog figures are read from the database at scrape time.
 */
function eventMetrics(registry: Registry, db: Database, schema: string): NonNullable<ConsumerOptions['onOutcome']> {
  const consumed = new Counter({
    name: 'events_consumed_total',
    help: 'Event deliveries to this service\'s consumers, by consumer and outcome (applied, duplicate, skipped, retry, dead_lettered)',
    labelNames: ['consumer', 'outcome'] as const,
    registers: [registry],
  })
  const lag = new Histogram({
    name: 'event_consumer_lag_seconds',
    help: 'From an event\'s occurrence to its effect committed by a consumer of this service',
    labelNames: ['consumer'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  })
  // one read serves both outbox gauges of a scrape (they collect within the same moment)
  let read: { at: number; rows: Promise<{ events: number; oldest: number | null } | undefined> } | null = null
  const backlog = () => {
    if (!read || Date.now() - read.at > 1000) {
      read = {
        at: Date.now(),
        rows: db
          .query<{ events: number; oldest: number | null }>(
            `select count(*)::int as events, extract(epoch from now() - min(occurred_at))::float8 as oldest from ${schema}.outbox where published_at is null`,
          )
          .then((result) => result.rows[0]),
      }
    }
    return read.rows
  }
  gaugeOf(registry, { name: 'outbox_unpublished_events', help: 'Events committed to the outbox and not yet on the bus' }, async () => [[{}, (await backlog())?.events ?? 0]])
  gaugeOf(registry, { name: 'outbox_oldest_unpublished_seconds', help: 'Age of the oldest event not yet on the bus (0 when none waits): the relay\'s lag' }, async () => [
    [{}, Math.max(0, Number((await backlog())?.oldest ?? 0))],
  ])
  gaugeOf(registry, { name: 'dead_letters', help: 'Events this service\'s consumers gave up on and nobody has replayed yet' }, async () => [
    [{}, (await db.query<{ n: number }>(`select count(*)::int as n from ${schema}.dead_letters where replayed_at is null`)).rows[0]?.n ?? 0],
  ])
  if (db.poolStats) {
    const stats = db.poolStats.bind(db)
    gaugeOf(registry, { name: 'db_pool_connections', help: 'PostgreSQL pool connections: total open, idle, requests waiting for one, and the maximum', labelNames: ['state'] }, () => {
      const { total, idle, waiting, max } = stats()
      return [
        [{ state: 'total' }, total],
        [{ state: 'idle' }, idle],
        [{ state: 'waiting' }, waiting],
        [{ state: 'max' }, max],
      ]
    })
  }
  return (consumer, outcome, seconds) => {
    consumed.inc({ consumer, outcome })
    if (outcome === 'applied') lag.observe({ consumer }, seconds)
  }
}

const MAX_WS_MESSAGE_BYTES = 1024 * 1024

function serveSubscriptions<Context>(app: FastifyInstance, options: SubgraphAppOptions<Context>, guard: SubgraphGuard): void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE_BYTES })
  app.server.on('upgrade', (request, socket, head) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/graphql') {
      socket.destroy()
      return
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request))
  })
  const viewers = new WeakMap<object, Viewer>()
  const server = useServer<Record<string, unknown> | undefined, { viewer?: Viewer }>(
    {
      schema: options.schema,
      onConnect: (ctx) => {
        const viewer = viewerFromConnectionParams(ctx.connectionParams, options.config)
        if (!viewer) return false
        viewers.set(ctx, viewer)
        return true
      },
      onSubscribe: (_ctx, _id, payload) => {
        let document
        try {
          document = parse(payload.query)
        } catch {
          return undefined // graphql-ws answers the syntax error itself
        }
        const refused = guard(document, payload.operationName, payload.variables)
        return refused ? [refused] : undefined
      },
      context: (ctx) => options.context(viewers.get(ctx) as Viewer) as never,
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { data: result.data ?? null, errors: result.errors.flatMap(flatten).map((error) => sanitize(error, app.log)) } : undefined,
      onError: (_ctx, _id, _payload, errors) => errors.flatMap(flatten).map((error) => sanitize(error, app.log)),
    },
    wss,
  )
  logSocketErrors(wss, app.log)
  // sockets first (1001, Going away), so the HTTP server can close
  app.addHook('preClose', async () => {
    await server.dispose()
  })
}

/** mercurius wraps validation failures as one error holding the list. */
function flatten(error: GraphQLError): GraphQLError[] {
  const nested = (error.originalError as { errors?: unknown } | undefined)?.errors
  if (Array.isArray(nested)) {
    return nested.map((e) => (e instanceof GraphQLError ? e : new GraphQLError(String((e as Error).message ?? e))))
  }
  return [error]
}

function sanitize(error: GraphQLError, log: FastifyBaseLogger): GraphQLFormattedError {
  const code = (error.extensions?.['code'] ?? (error.originalError as GraphQLError | undefined)?.extensions?.['code']) as string | undefined
  const base = { ...(error.locations ? { locations: error.locations } : {}), ...(error.path ? { path: error.path } : {}) }
  if (code && Object.hasOwn(ERROR_CODES, code)) {
    return { message: error.message, ...base, extensions: { ...error.extensions, code } }
  }
  if (!error.originalError) {
    // a syntax or validation error: the message is about the client's document, safe to return
    return { message: error.message, ...base, extensions: { code: error.message.startsWith('Syntax Error') ? 'GRAPHQL_PARSE_FAILED' : 'GRAPHQL_VALIDATION_FAILED' } }
  }
  if (UNSTORABLE_TEXT.has((error.originalError as { code?: unknown }).code as string)) {
    // the client's text, not a fault of the service: nothing for the error log
    log.debug({ err: error.originalError, path: error.path }, 'argument with a character PostgreSQL cannot hold')
    return { message: 'A text argument holds a character this service cannot store (such as NUL)', ...base, extensions: { code: 'BAD_USER_INPUT' } }
  }
  if (databaseUnreachable(error.originalError)) {
    log.warn({ err: error.originalError, path: error.path }, 'database unreachable')
    return { message: 'The service lost its database for a moment; retry (a mutation with the same idempotency key)', ...base, extensions: { code: 'SERVICE_UNAVAILABLE' } }
  }
  log.error({ err: error.originalError, path: error.path }, 'unexpected resolver error')
  return { message: 'Internal server error', ...base, extensions: { code: 'INTERNAL_SERVER_ERROR' } }
}

/**
 * The database went away under a statement: PostgreSQL's connection exceptions (class 08),
 * operator intervention (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now,
 * e.g. pg_terminate_backend or a failover), too many connections (53300), node-postgres's own
 * messages for a socket that closed or a pool that could not connect in time, and socket errors.
 * A client can do something about these: retry.
 */
export function databaseUnreachable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  if (typeof code === 'string' && (code.startsWith('08') || ['57P01', '57P02', '57P03', '53300', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code))) return true
  return typeof message === 'string' && /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/.test(message)
}

/**
 * PostgreSQL's codes for text it cannot hold (a NUL byte in a string argument): 22021
 * character_not_in_repertoire, 22P05 untranslatable_character.
 */
const UNSTORABLE_TEXT: ReadonlySet<string> = new Set(['22021', '22P05'])
