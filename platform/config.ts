/**
 * The one place that reads the environment. Every variable is validated once, at start, and every
 * problem is reported together; the result is frozen. The README's configuration table is kept in
 * step with `CONFIG_VARIABLES` (configVariables.ts) by a test.
 */
import { availableParallelism } from 'node:os'
import { SUBGRAPH_DEFAULT_PORTS, SUBGRAPH_NAMES, type SubgraphName } from './subgraphRegistry.ts'


export interface Config {
  readonly nodeEnv: 'development' | 'production' | 'test'
  readonly host: string
  readonly gatewayPort: number
  /** Gateway processes sharing its port (node:cluster); 1 runs it in the one process. */
  readonly gatewayWorkers: number
  readonly subgraphPorts: Readonly<Record<SubgraphName, number>>
  /** Explicit routing URL per subgraph; when absent the supergraph's routing URL is used. */
  readonly subgraphUrls: Readonly<Partial<Record<SubgraphName, string>>>
  /** Every replica's URL where SUBGRAPH_<NAME>_URL lists several (comma-separated); `subgraphUrls` holds the first. */
  readonly subgraphReplicaUrls: Readonly<Partial<Record<SubgraphName, readonly string[]>>>
  /** node-postgres when set, otherwise embedded PGlite in `dataDir`. */
  readonly databaseUrl: string | null
  readonly dataDir: string
  readonly supergraphPath: string
  /** HS256 secret; null when only a JWKS is configured (HS256 tokens are then refused). */
  readonly jwtSecret: string | null
  readonly jwtIssuer: string | null
  readonly jwtAudience: string | null
  readonly viewerSigningSecret: string
  readonly maxPageSize: number
  readonly subgraphTimeoutMs: number
  /** Retries of a query fetch after a connection failure or a 502/503/504 (never mutations, never after a timeout). */
  readonly subgraphRetries: number
  /** How long a circuit breaker (a subgraph's, the payment provider's) stays open before a probe. */
  readonly circuitOpenMs: number
  /** One attempt's budget at the payment provider (then a retry, with the same idempotency key). */
  readonly paymentProviderTimeoutMs: number
  /** Attempts after the first of a payment provider call that timed out or failed to connect. */
  readonly paymentProviderRetries: number
  /** Where incidents (an integration's circuit breaker opened, then closed) are POSTed; null: recorded only. */
  readonly incidentWebhookUrl: string | null
  /** Inventory's supplier (AUTO replenishment): its base URL; null: none (`npm start` starts the built-in one in development). */
  readonly supplierUrl: string | null
  /** Sent as `x-supplier-key` to the supplier, and required by the built-in one when set; null: none. */
  readonly supplierApiKey: string | null
  /** Where `npm start` runs the built-in supplier when SUPPLIER_URL is unset (development only). */
  readonly supplierPort: number
  /** One attempt's budget at the supplier (then a retry, with the same idempotency key). */
  readonly supplierTimeoutMs: number
  /** Attempts after the first of one placement that timed out or failed to connect. */
  readonly supplierRetries: number
  /** Placements (each with its retries) of an order the supplier never answers before it is PLACEMENT_FAILED. */
  readonly supplierPlacementAttempts: number
  /** How often inventory reviews every level with a replenishment policy, beside the order events (0: never). */
  readonly replenishmentReviewMs: number
  readonly seedOnStart: boolean
  readonly reservationTtlSeconds: number
  /** NATS JetStream when set, otherwise the in-process bus. */
  readonly natsUrl: string | null
  /** Prefix of the bus's NATS subjects and streams: deployments (or runs) sharing one NATS server keep apart. */
  readonly natsNamespace: string
  readonly eventMaxDeliveries: number
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** OpenTelemetry traces over OTLP/HTTP (null endpoint: tracing off, at no cost). */
  readonly tracing: Readonly<TracingConfig>
  /** What the gateway does with operations that are not in a client manifest. */
  readonly trustedDocuments: TrustedDocumentsMode
  /** Staff may send free-form documents even in `enforce` mode. */
  readonly trustedDocumentsAllowStaff: boolean
  /** Folder of `<client>/manifest.json` persisted query manifests. */
  readonly trustedDocumentsDir: string
  /** How long published events stay in a service's event log (subscribers resume within it). */
  readonly eventLogRetentionHours: number
  /** Limits of one graphql-ws connection at the gateway. */
  readonly websocket: Readonly<{
    maxSubscriptions: number
    maxMessageBytes: number
    maxMessagesPerSecond: number
    maxBufferedEvents: number
    connectionInitTimeoutMs: number
    maxConnectionsPerClient: number
  }>
  /** On SIGTERM: how long open sockets may keep streaming before they are closed with 1001. */
  readonly shutdownDrainMs: number
  /** On SIGTERM: how long `/readyz` fails while everything else is still served, before the listener closes. */
  readonly shutdownReadinessDelayMs: number
  /** On SIGTERM: the bound of the whole shutdown; past it, what is still open is logged and the process exits 1. */
  readonly shutdownTimeoutMs: number
  /** Largest partner feed file (`POST /partner/feeds/<kind>`), in bytes: the gateway's body limit on that route, and the subgraph's. */
  readonly partnerFeedMaxBytes: number
  /** JWKS (RS256/ES256 keys) at `file://` or `https://`; tokens may then be signed by its keys. */
  readonly jwksUrl: string | null
  /** Longest lifetime (`exp` - `iat`, or `exp` - now without `iat`) a token may claim, in seconds. */
  readonly maxTokenLifetimeSeconds: number
  /** Tolerance for `exp`, `nbf` and `iat`, in seconds. */
  readonly clockSkewSeconds: number
  /** The previous viewer signing secret, still accepted while a rotation rolls out. */
  readonly viewerSigningSecretPrevious: string | null
  /** Operation limits, checked after parsing and before planning, on every transport. */
  readonly limits: Readonly<OperationLimits>
  /** Largest response the gateway or a subgraph sends, in bytes (larger: RESPONSE_TOO_LARGE). */
  readonly maxResponseBytes: number
  /** Deadline of one request at the gateway (then REQUEST_TIMEOUT). */
  readonly requestTimeoutMs: number
  /** Per-viewer budgets in cost units: a token bucket per subject (or client IP when anonymous). */
  readonly rateLimit: Readonly<RateLimitConfig>
  /** Proxies whose `X-Forwarded-For` is believed (addresses or CIDRs); empty: the socket's peer is the client. */
  readonly trustedProxies: readonly string[]
  /** Redis, where state must be shared by replicas (rate limit budgets). */
  readonly redisUrl: string | null
  /** Adaptive limits: clients departing from their baseline get a lower budget for a while. */
  readonly anomaly: Readonly<AnomalyConfig>
  /** Subgraph read caches (shared data only), kept correct by domain events; in Redis when `redisUrl` is set. */
  readonly cache: Readonly<CacheConfig>
  /** What is shared while in flight (DEDUPLICATION): identical queries one execution, identical subgraph fetches one call. */
  readonly deduplication: Readonly<DeduplicationConfig>
}

export interface DeduplicationConfig {
  /** Identical client queries with the same visibility in flight share one execution (`on`). */
  readonly queries: boolean
  /** Identical subgraph query fetches (same body and signed viewer) in flight share one call (`on`, `fetches`). */
  readonly fetches: boolean
}

export interface TracingConfig {
  /** The collector: a base URL (`/v1/traces` appended) or, with `tracesUrl`, the traces URL itself. */
  readonly endpoint: string | null
  readonly tracesUrl: boolean
  /** `OTEL_SERVICE_NAME`: names a process that runs one service (default: the service's own name). */
  readonly serviceName: string | null
}

export interface CacheConfig {
  readonly enabled: boolean
  /** The backstop: how long an entry may live when no event invalidates it. */
  readonly ttlSeconds: number
  /** Prefix of the cache's Redis keys; replicas over one database share it (null: `commerce:cache:<database>`). */
  readonly keyPrefix: string | null
}

export const COST_ROLES = ['anonymous', 'customer', 'partner', 'staff'] as const
export type CostRole = (typeof COST_ROLES)[number]

export interface OperationLimits {
  readonly maxDepth: number
  readonly maxAliases: number
  readonly maxRootFields: number
  readonly maxTokens: number
  readonly maxDirectives: number
  /** Estimated cost an operation may have, per role of its viewer. */
  readonly maxCost: Readonly<Record<CostRole, number>>
  /** Assumed length of a list field with no `@listSize` and no slicing argument. */
  readonly defaultListSize: number
  /** Extra cost of each entity fetched from another subgraph than its parent's. */
  readonly entityHopCost: number
}

export interface RateLimitConfig {
  readonly enabled: boolean
  /** Cost units refilled per second, per role. */
  readonly perSecond: Readonly<Record<CostRole, number>>
  /** Bucket capacity, in seconds of refill (the burst a quiet client may spend at once). */
  readonly burstSeconds: number
  /** The least an operation is charged, whatever its estimated cost. */
  readonly minCost: number
}

export interface AnomalyConfig {
  readonly enabled: boolean
  /** How far above its baseline (a multiple) a client's rate or pattern may go before it is throttled. */
  readonly threshold: number
  /** The share of its budget a throttled client keeps. */
  readonly throttleFactor: number
  /** How long a throttled client must behave normally before its budget returns, in seconds. */
  readonly recoverySeconds: number
}

export const TRUSTED_DOCUMENTS_MODES = ['off', 'log', 'enforce'] as const
export type TrustedDocumentsMode = (typeof TRUSTED_DOCUMENTS_MODES)[number]

const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-in-production'
const DEV_SIGNING_SECRET = 'dev-only-viewer-signing-secret-change-me'
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const problems: string[] = []

  // a value outside min..max (or a fraction, for an integer) is a problem, and the fallback stands in
  const numeric = (kind: 'an integer' | 'a number') => (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]
    if (raw === undefined || raw === '') return fallback
    const value = Number(raw)
    if (!(kind === 'an integer' ? Number.isInteger(value) : Number.isFinite(value)) || value < min || value > max) {
      problems.push(`${name} must be ${kind} from ${min} to ${max}, got '${raw}'`)
      return fallback
    }
    return value
  }
  const integer = numeric('an integer')
  const number = numeric('a number')
  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = env[name]
    if (raw === undefined || raw === '') return fallback
    if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true
    if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false
    problems.push(`${name} must be on or off (true or false), got '${raw}'`)
    return fallback
  }
  const deduplication = (): DeduplicationConfig => {
    const raw = env['DEDUPLICATION']
    const value = (raw ?? '').toLowerCase()
    if (value === 'fetches') return Object.freeze({ queries: false, fetches: true })
    const off = ['0', 'false', 'no', 'off'].includes(value)
    if (!off && value !== '' && !['1', 'true', 'yes', 'on'].includes(value)) problems.push(`DEDUPLICATION must be on, fetches or off, got '${raw}'`)
    return Object.freeze({ queries: !off, fetches: !off })
  }
  const url = (name: string, protocols: readonly string[], value?: string): string | null => {
    const raw = value ?? env[name]
    if (raw === undefined || raw === '') return null
    try {
      const parsed = new URL(raw)
      if (!protocols.includes(parsed.protocol)) problems.push(`${name} must use ${protocols.join(' or ')}, got '${parsed.protocol}'`)
    } catch {
      problems.push(`${name} must be a URL, got '${raw}'`)
    }
    return raw
  }

  const nodeEnvRaw = env['NODE_ENV'] ?? 'development'
  const nodeEnv = nodeEnvRaw === 'production' || nodeEnvRaw === 'test' ? nodeEnvRaw : 'development'
  if (!['development', 'production', 'test'].includes(nodeEnvRaw)) {
    problems.push(`NODE_ENV must be development, test or production, got '${nodeEnvRaw}'`)
  }
  const production = nodeEnv === 'production'

  const secret = (name: string, devDefault: string, requiredInProduction = true): string => {
    const raw = env[name]
    if (raw !== undefined && raw !== '') {
      if (raw.length < 32) problems.push(`${name} must be at least 32 characters`)
      return raw
    }
    if (production && requiredInProduction) problems.push(`${name} is required when NODE_ENV=production`)
    return devDefault
  }
  const jwksUrl = url('AUTH_JWKS_URL', production ? ['https:', 'file:'] : ['https:', 'http:', 'file:'])
  const previousSigningSecret = env['VIEWER_SIGNING_SECRET_PREVIOUS'] || null
  if (previousSigningSecret !== null && previousSigningSecret.length < 32) problems.push('VIEWER_SIGNING_SECRET_PREVIOUS must be at least 32 characters')
  const trustedProxies = (env['TRUSTED_PROXIES'] ?? '').split(',').map((s) => s.trim()).filter(Boolean)
  for (const proxy of trustedProxies) {
    if (!/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(proxy)) problems.push(`TRUSTED_PROXIES must list IP addresses or CIDRs, got '${proxy}'`)
  }

  const subgraphPorts = Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [name, integer(`${name.toUpperCase()}_PORT`, SUBGRAPH_DEFAULT_PORTS[name], 0, 65535)]),
  ) as Record<SubgraphName, number>
  const subgraphUrls: Partial<Record<SubgraphName, string>> = {}
  const subgraphReplicaUrls: Partial<Record<SubgraphName, readonly string[]>> = {}
  for (const name of SUBGRAPH_NAMES) {
    const variable = `SUBGRAPH_${name.toUpperCase()}_URL`
    // one URL, or the replicas' URLs separated by commas
    const values = (env[variable] ?? '').split(',').map((value) => value.trim()).filter(Boolean)
    const valid = values.filter((value) => url(variable, ['http:', 'https:'], value) !== null)
    if (valid.length > 0 && valid.length === values.length) {
      subgraphUrls[name] = valid[0]!
      subgraphReplicaUrls[name] = Object.freeze(valid)
    }
  }

  const natsNamespace = env['NATS_NAMESPACE'] || 'commerce'
  // one subject token: letters, digits, dashes and underscores (no dots, no wildcards)
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(natsNamespace)) problems.push(`NATS_NAMESPACE must be a letter then up to 63 letters, digits, '-' or '_', got '${natsNamespace}'`)

  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:'])
  const logLevel = env['LOG_LEVEL'] ?? 'info'
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`)
  }

  const trustedDocuments = env['TRUSTED_DOCUMENTS'] || (production ? 'enforce' : 'log')
  if (!(TRUSTED_DOCUMENTS_MODES as readonly string[]).includes(trustedDocuments)) {
    problems.push(`TRUSTED_DOCUMENTS must be one of ${TRUSTED_DOCUMENTS_MODES.join(', ')}, got '${trustedDocuments}'`)
  }

  const config: Config = {
    nodeEnv,
    host: env['HOST'] || '127.0.0.1',
    gatewayPort: integer('GATEWAY_PORT', 4000, 0, 65535),
    gatewayWorkers: env['GATEWAY_WORKERS'] === 'auto' ? availableParallelism() : integer('GATEWAY_WORKERS', 1, 1, 256),
    subgraphPorts: Object.freeze(subgraphPorts),
    subgraphUrls: Object.freeze(subgraphUrls),
    subgraphReplicaUrls: Object.freeze(subgraphReplicaUrls),
    databaseUrl,
    dataDir: env['DATA_DIR'] || '.data/pglite',
    supergraphPath: env['SUPERGRAPH_PATH'] || 'supergraph.graphql',
    // with a JWKS and no secret, HS256 is off: a development default would be a forgeable key
    jwtSecret: jwksUrl !== null && !env['AUTH_JWT_SECRET'] ? null : secret('AUTH_JWT_SECRET', DEV_JWT_SECRET),
    jwtIssuer: env['AUTH_JWT_ISSUER'] || null,
    jwtAudience: env['AUTH_JWT_AUDIENCE'] || null,
    viewerSigningSecret: secret('VIEWER_SIGNING_SECRET', DEV_SIGNING_SECRET),
    maxPageSize: integer('MAX_PAGE_SIZE', 100, 1, 10_000),
    subgraphTimeoutMs: integer('SUBGRAPH_TIMEOUT_MS', 10_000, 100, 600_000),
    subgraphRetries: integer('SUBGRAPH_RETRIES', 2, 0, 5),
    circuitOpenMs: integer('CIRCUIT_OPEN_MS', 5000, 100, 600_000),
    paymentProviderTimeoutMs: integer('PAYMENT_PROVIDER_TIMEOUT_MS', 10_000, 1, 600_000),
    paymentProviderRetries: integer('PAYMENT_PROVIDER_RETRIES', 2, 0, 10),
    incidentWebhookUrl: url('INCIDENT_WEBHOOK_URL', ['https:', 'http:']),
    supplierUrl: url('SUPPLIER_URL', ['https:', 'http:']),
    supplierApiKey: env['SUPPLIER_API_KEY'] || null,
    supplierPort: integer('SUPPLIER_PORT', 4090, 0, 65535),
    supplierTimeoutMs: integer('SUPPLIER_TIMEOUT_MS', 5000, 1, 600_000),
    supplierRetries: integer('SUPPLIER_RETRIES', 2, 0, 10),
    supplierPlacementAttempts: integer('SUPPLIER_PLACEMENT_ATTEMPTS', 10, 1, 1000),
    replenishmentReviewMs: integer('REPLENISHMENT_REVIEW_MS', 3_600_000, 0, 7 * 86_400_000),
    seedOnStart: boolean('SEED_ON_START', databaseUrl === null),
    reservationTtlSeconds: integer('RESERVATION_TTL_SECONDS', 900, 1, 7 * 24 * 3600),
    natsUrl: url('NATS_URL', ['nats:', 'tls:']),
    natsNamespace,
    eventMaxDeliveries: integer('EVENT_MAX_DELIVERIES', 5, 1, 100),
    logLevel: logLevel as Config['logLevel'],
    tracing: Object.freeze(tracingConfig(env, url)),
    trustedDocuments: trustedDocuments as TrustedDocumentsMode,
    trustedDocumentsAllowStaff: boolean('TRUSTED_DOCUMENTS_ALLOW_STAFF', false),
    trustedDocumentsDir: env['TRUSTED_DOCUMENTS_DIR'] || 'operations',
    eventLogRetentionHours: integer('EVENT_LOG_RETENTION_HOURS', 24, 1, 24 * 90),
    websocket: Object.freeze({
      maxSubscriptions: integer('WS_MAX_SUBSCRIPTIONS', 100, 1, 100_000),
      maxMessageBytes: integer('WS_MAX_MESSAGE_BYTES', 65_536, 1024, 16 * 1024 * 1024),
      maxMessagesPerSecond: integer('WS_MAX_MESSAGES_PER_SECOND', 50, 1, 100_000),
      maxBufferedEvents: integer('WS_MAX_BUFFERED_EVENTS', 1000, 1, 1_000_000),
      connectionInitTimeoutMs: integer('WS_CONNECTION_INIT_TIMEOUT_MS', 5000, 100, 600_000),
      maxConnectionsPerClient: integer('WS_MAX_CONNECTIONS_PER_CLIENT', 50, 1, 1_000_000),
    }),
    shutdownDrainMs: integer('SHUTDOWN_DRAIN_MS', 5000, 0, 600_000),
    // in production, time for load balancers to see /readyz fail (a few of their probe periods)
    // before the listener closes; elsewhere nothing routes by readiness, and Ctrl-C should be quick
    shutdownReadinessDelayMs: integer('SHUTDOWN_READINESS_DELAY_MS', production ? 5000 : 0, 0, 600_000),
    // under Kubernetes' default grace period (30 s), so the process says what was open before a SIGKILL
    shutdownTimeoutMs: integer('SHUTDOWN_TIMEOUT_MS', 25_000, 100, 3_600_000),
    partnerFeedMaxBytes: integer('PARTNER_FEED_MAX_BYTES', 10 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    jwksUrl,
    maxTokenLifetimeSeconds: integer('AUTH_MAX_TOKEN_LIFETIME', 86_400, 60, 365 * 86_400),
    clockSkewSeconds: integer('AUTH_CLOCK_SKEW_SECONDS', 30, 0, 600),
    viewerSigningSecretPrevious: previousSigningSecret,
    limits: Object.freeze({
      maxDepth: integer('MAX_DEPTH', 6, 1, 100),
      maxAliases: integer('MAX_ALIASES', 15, 0, 10_000),
      maxRootFields: integer('MAX_ROOT_FIELDS', 10, 1, 1000),
      maxTokens: integer('MAX_TOKENS', 1000, 50, 1_000_000),
      maxDirectives: integer('MAX_DIRECTIVES', 50, 0, 10_000),
      maxCost: Object.freeze({
        anonymous: integer('MAX_COST_ANONYMOUS', 1000, 1, 100_000_000),
        customer: integer('MAX_COST_CUSTOMER', 2000, 1, 100_000_000),
        partner: integer('MAX_COST_PARTNER', 3000, 1, 100_000_000),
        staff: integer('MAX_COST_STAFF', 5000, 1, 100_000_000),
      }),
      defaultListSize: integer('COST_DEFAULT_LIST_SIZE', 10, 1, 10_000),
      entityHopCost: integer('COST_ENTITY_HOP', 1, 0, 1000),
    }),
    maxResponseBytes: integer('MAX_RESPONSE_BYTES', 2 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    requestTimeoutMs: integer('REQUEST_TIMEOUT_MS', 15_000, 100, 600_000),
    rateLimit: Object.freeze({
      enabled: boolean('RATE_LIMIT_ENABLED', true),
      perSecond: Object.freeze({
        anonymous: number('RATE_LIMIT_ANONYMOUS', 1000, 0.001, 1e9),
        customer: number('RATE_LIMIT_CUSTOMER', 2000, 0.001, 1e9),
        partner: number('RATE_LIMIT_PARTNER', 5000, 0.001, 1e9),
        staff: number('RATE_LIMIT_STAFF', 10000, 0.001, 1e9),
      }),
      burstSeconds: number('RATE_LIMIT_BURST_SECONDS', 10, 0.001, 86_400),
      minCost: integer('RATE_LIMIT_MIN_COST', 25, 0, 1_000_000),
    }),
    trustedProxies: Object.freeze(trustedProxies),
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    anomaly: Object.freeze({
      enabled: boolean('ANOMALY_DETECTION', true),
      threshold: number('ANOMALY_THRESHOLD', 4, 1.1, 1000),
      throttleFactor: number('ANOMALY_THROTTLE_FACTOR', 0.1, 0.001, 1),
      recoverySeconds: integer('ANOMALY_RECOVERY_SECONDS', 300, 1, 86_400),
    }),
    cache: Object.freeze({
      enabled: boolean('CACHE', true),
      ttlSeconds: integer('CACHE_TTL_SECONDS', 60, 1, 86_400),
      keyPrefix: env['CACHE_KEY_PREFIX'] || null,
    }),
    deduplication: deduplication(),
  }
  if (config.shutdownTimeoutMs <= config.shutdownReadinessDelayMs) {
    problems.push(`SHUTDOWN_TIMEOUT_MS (${config.shutdownTimeoutMs}) must be longer than SHUTDOWN_READINESS_DELAY_MS (${config.shutdownReadinessDelayMs})`)
  }
  if (problems.length > 0) {
    throw new ConfigError(problems)
  }
  return Object.freeze(config)
}

export class ConfigError extends Error {
  readonly problems: readonly string[]
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n- ${problems.join('\n- ')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

/** The standard OTEL_* variables this project reads itself (the SDK reads the others). */
function tracingConfig(env: NodeJS.ProcessEnv, url: (name: string, protocols: readonly string[]) => string | null): TracingConfig {
  const disabled = (env['OTEL_SDK_DISABLED'] ?? '').toLowerCase() === 'true'
  const tracesEndpoint = url('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', ['http:', 'https:'])
  const endpoint = url('OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:'])
  return {
    endpoint: disabled ? null : (tracesEndpoint ?? endpoint),
    tracesUrl: tracesEndpoint !== null,
    serviceName: env['OTEL_SERVICE_NAME'] || null,
  }
}
