/**
 * The one place that reads the environment. Every variable is validated once, at start, and every
 * problem is reported together; the result is frozen. The README's configuration table is kept in
 * step with `CONFIG_VARIABLES` by a test.
 */
/**
 * The registry of subgraphs: each one's name and default port, in the order the one-process mode
 * starts them. Config (its ports and URL overrides, the README table), `main.ts`, codegen and the
 * test stack derive from it; `subgraphs/registry.ts` and `supergraph.yaml` are checked against it
 * (test/registry.test.ts). README "Adding a subgraph" has the steps.
 */
export const SUBGRAPH_DEFAULT_PORTS = { catalog: 4001, inventory: 4002, orders: 4003, finance: 4004 } as const
export type SubgraphName = keyof typeof SUBGRAPH_DEFAULT_PORTS
export const SUBGRAPH_NAMES = Object.keys(SUBGRAPH_DEFAULT_PORTS) as readonly SubgraphName[]

export interface Config {
  readonly nodeEnv: 'development' | 'production' | 'test'
  readonly host: string
  readonly gatewayPort: number
  readonly subgraphPorts: Readonly<Record<SubgraphName, number>>
  /** Explicit routing URL per subgraph; when absent the supergraph's routing URL is used. */
  readonly subgraphUrls: Readonly<Partial<Record<SubgraphName, string>>>
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
  readonly seedOnStart: boolean
  readonly reservationTtlSeconds: number
  /** NATS JetStream when set, otherwise the in-process bus. */
  readonly natsUrl: string | null
  readonly eventMaxDeliveries: number
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
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
  }>
  /** On SIGTERM: how long open sockets may keep streaming before they are closed with 1001. */
  readonly shutdownDrainMs: number
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

/** Documented environment variables, with their default (what the README table shows). */
export const CONFIG_VARIABLES: Readonly<Record<string, { default: string; description: string }>> = {
  NODE_ENV: { default: 'development', description: '`development`, `test` or `production`; production requires real secrets' },
  HOST: { default: '127.0.0.1', description: 'interface every service binds to (`0.0.0.0` in containers)' },
  GATEWAY_PORT: { default: '4000', description: 'port of the gateway (`/graphql`, `/healthz`, `/readyz`)' },
  ...Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase()}_PORT`, { default: String(SUBGRAPH_DEFAULT_PORTS[name]), description: `port of the ${name} subgraph` }]),
  ),
  ...Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [`SUBGRAPH_${name.toUpperCase()}_URL`, { default: '(from supergraph)', description: `routing URL override for ${name}, used by the gateway` }]),
  ),
  DATABASE_URL: { default: '(unset: embedded PGlite)', description: 'PostgreSQL connection string; switches storage to node-postgres' },
  DATA_DIR: { default: '.data/pglite', description: 'PGlite data directory (embedded mode)' },
  SUPERGRAPH_PATH: { default: 'supergraph.graphql', description: 'composed supergraph the gateway serves; reloaded when the file changes' },
  AUTH_JWT_SECRET: { default: '(dev secret; required in production unless AUTH_JWKS_URL is set)', description: 'HS256 secret that signs viewer JWTs; with only AUTH_JWKS_URL set, HS256 tokens are refused' },
  AUTH_JWT_ISSUER: { default: '(unset: not checked)', description: 'required `iss` claim, when set' },
  AUTH_JWT_AUDIENCE: { default: '(unset: not checked)', description: 'required `aud` claim, when set' },
  VIEWER_SIGNING_SECRET: { default: '(dev secret; required in production)', description: 'secret shared by gateway and subgraphs only; signs the forwarded viewer' },
  MAX_PAGE_SIZE: { default: '100', description: 'largest `first`/`last` a connection accepts' },
  SUBGRAPH_TIMEOUT_MS: { default: '10000', description: 'gateway timeout for one subgraph fetch' },
  SEED_ON_START: { default: 'true (embedded), false (DATABASE_URL)', description: 'seed the demo store when the database is empty' },
  RESERVATION_TTL_SECONDS: { default: '900', description: 'default lifetime of a stock reservation' },
  NATS_URL: { default: '(unset: in-process bus)', description: 'NATS server with JetStream; switches the event bus to durable streams' },
  EVENT_MAX_DELIVERIES: { default: '5', description: 'deliveries of an event before a consumer dead-letters it' },
  LOG_LEVEL: { default: 'info', description: 'pino log level (`silent` to mute)' },
  TRUSTED_DOCUMENTS: { default: 'enforce (production), log (otherwise)', description: '`off`, `log` (operations outside the manifests run, logged and counted) or `enforce` (only manifest operations run)' },
  TRUSTED_DOCUMENTS_ALLOW_STAFF: { default: 'false', description: 'let staff viewers send free-form documents in `enforce` mode' },
  TRUSTED_DOCUMENTS_DIR: { default: 'operations', description: 'folder of `<client>/manifest.json` persisted query manifests; reloaded when they change' },
  EVENT_LOG_RETENTION_HOURS: { default: '24', description: 'how long published events stay in each service\'s event log; a subscription cursor older than this must resync' },
  WS_MAX_SUBSCRIPTIONS: { default: '100', description: 'subscriptions one graphql-ws connection may hold at once (more: closed with 4429)' },
  WS_MAX_MESSAGE_BYTES: { default: '65536', description: 'largest message a graphql-ws client may send (larger: closed with 1009)' },
  WS_MAX_MESSAGES_PER_SECOND: { default: '50', description: 'messages a graphql-ws client may send per second (more: closed with 4429)' },
  WS_MAX_BUFFERED_EVENTS: { default: '1000', description: 'events waiting for a slow graphql-ws client before it is disconnected (1013)' },
  WS_CONNECTION_INIT_TIMEOUT_MS: { default: '5000', description: 'time a graphql-ws client has to send `connection_init` (then 4408)' },
  SHUTDOWN_DRAIN_MS: { default: '5000', description: 'on SIGTERM, how long open sockets keep streaming before they are closed with 1001' },
  AUTH_JWKS_URL: { default: '(unset: HS256 secret only)', description: 'JWKS with the RS256/ES256 keys that sign viewer JWTs (`file://` or `https://`); keys cached, refetched on an unknown `kid`' },
  AUTH_MAX_TOKEN_LIFETIME: { default: '86400', description: 'longest lifetime, in seconds, a token may claim (`exp` - `iat`); longer-lived tokens and tokens without `exp` are refused' },
  AUTH_CLOCK_SKEW_SECONDS: { default: '30', description: 'tolerance for `exp`, `nbf` and `iat`' },
  VIEWER_SIGNING_SECRET_PREVIOUS: { default: '(unset)', description: 'the previous viewer signing secret, still accepted by subgraphs during a rotation' },
  MAX_DEPTH: { default: '6', description: 'deepest field nesting an operation may have, counted through fragments (deeper: MAX_DEPTH_EXCEEDED)' },
  MAX_ALIASES: { default: '15', description: 'aliases an operation may use (more: MAX_ALIASES_EXCEEDED)' },
  MAX_ROOT_FIELDS: { default: '10', description: 'root fields an operation may select (more: MAX_ROOT_FIELDS_EXCEEDED)' },
  MAX_TOKENS: { default: '1000', description: 'lexical tokens a document may have; checked while parsing (more: MAX_TOKENS_EXCEEDED)' },
  MAX_DIRECTIVES: { default: '50', description: 'directives an operation may use (more: MAX_DIRECTIVES_EXCEEDED)' },
  MAX_COST_ANONYMOUS: { default: '1000', description: 'largest estimated cost of one operation for an anonymous viewer (more: COST_LIMIT_EXCEEDED)' },
  MAX_COST_CUSTOMER: { default: '2000', description: 'largest estimated cost for a customer' },
  MAX_COST_PARTNER: { default: '3000', description: 'largest estimated cost for a partner' },
  MAX_COST_STAFF: { default: '5000', description: 'largest estimated cost for staff; also what each subgraph enforces on its own' },
  COST_DEFAULT_LIST_SIZE: { default: '10', description: 'assumed length of a list field with no `@listSize` and no slicing argument' },
  COST_ENTITY_HOP: { default: '1', description: 'extra cost of each entity fetched from another subgraph than its parent' },
  MAX_RESPONSE_BYTES: { default: '2097152', description: 'largest response the gateway or a subgraph sends (larger: RESPONSE_TOO_LARGE)' },
  REQUEST_TIMEOUT_MS: { default: '15000', description: 'deadline of one request at the gateway (then REQUEST_TIMEOUT); subgraphs stop at SUBGRAPH_TIMEOUT_MS' },
  RATE_LIMIT_ENABLED: { default: 'true', description: 'per-viewer budgets in cost units (a token bucket per subject, or per client IP when anonymous)' },
  RATE_LIMIT_ANONYMOUS: { default: '1000', description: 'cost units per second refilled to an anonymous client (per IP)' },
  RATE_LIMIT_CUSTOMER: { default: '2000', description: 'cost units per second refilled to a customer' },
  RATE_LIMIT_PARTNER: { default: '5000', description: 'cost units per second refilled to a partner' },
  RATE_LIMIT_STAFF: { default: '10000', description: 'cost units per second refilled to staff' },
  RATE_LIMIT_BURST_SECONDS: { default: '10', description: 'bucket capacity in seconds of refill: what a quiet client may spend at once' },
  RATE_LIMIT_MIN_COST: { default: '25', description: 'the least one operation (or graphql-ws message) is charged' },
  TRUSTED_PROXIES: { default: '(unset: none)', description: 'comma-separated proxy addresses or CIDRs whose `X-Forwarded-For` names the client' },
  REDIS_URL: { default: '(unset: in memory)', description: 'Redis shared by gateway replicas (rate limit budgets); without it each replica counts alone' },
  ANOMALY_DETECTION: { default: 'true', description: 'throttle clients whose traffic departs from their own and their cohort\'s baseline' },
  ANOMALY_THRESHOLD: { default: '4', description: 'how many times its baseline a client\'s rate or access pattern may reach before it is throttled' },
  ANOMALY_THROTTLE_FACTOR: { default: '0.1', description: 'share of its budget a throttled client keeps' },
  ANOMALY_RECOVERY_SECONDS: { default: '300', description: 'how long a throttled client must look normal before its budget returns' },
}

const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-in-production'
const DEV_SIGNING_SECRET = 'dev-only-viewer-signing-secret-change-me'
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const problems: string[] = []

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]
    if (raw === undefined || raw === '') return fallback
    const value = Number(raw)
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got '${raw}'`)
      return fallback
    }
    return value
  }
  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = env[name]
    if (raw === undefined || raw === '') return fallback
    if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true
    if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false
    problems.push(`${name} must be true or false, got '${raw}'`)
    return fallback
  }
  const url = (name: string, protocols: readonly string[]): string | null => {
    const raw = env[name]
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
  for (const name of SUBGRAPH_NAMES) {
    const value = url(`SUBGRAPH_${name.toUpperCase()}_URL`, ['http:', 'https:'])
    if (value) subgraphUrls[name] = value
  }

  const number = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]
    if (raw === undefined || raw === '') return fallback
    const value = Number(raw)
    if (!Number.isFinite(value) || value < min || value > max) {
      problems.push(`${name} must be a number from ${min} to ${max}, got '${raw}'`)
      return fallback
    }
    return value
  }

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
    subgraphPorts: Object.freeze(subgraphPorts),
    subgraphUrls: Object.freeze(subgraphUrls),
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
    seedOnStart: boolean('SEED_ON_START', databaseUrl === null),
    reservationTtlSeconds: integer('RESERVATION_TTL_SECONDS', 900, 1, 7 * 24 * 3600),
    natsUrl: url('NATS_URL', ['nats:', 'tls:']),
    eventMaxDeliveries: integer('EVENT_MAX_DELIVERIES', 5, 1, 100),
    logLevel: logLevel as Config['logLevel'],
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
    }),
    shutdownDrainMs: integer('SHUTDOWN_DRAIN_MS', 5000, 0, 600_000),
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
