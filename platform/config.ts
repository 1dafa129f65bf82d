/**
 * The one place that reads the environment. Every variable is validated once, at start, and every
 * problem is reported together; the result is frozen. The README's configuration table is kept in
 * step with `CONFIG_VARIABLES` by a test.
 */
export const SUBGRAPH_NAMES = ['catalog', 'inventory', 'orders', 'finance'] as const
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number]

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
  readonly jwtSecret: string
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
}

export const TRUSTED_DOCUMENTS_MODES = ['off', 'log', 'enforce'] as const
export type TrustedDocumentsMode = (typeof TRUSTED_DOCUMENTS_MODES)[number]

/** Documented environment variables, with their default (what the README table shows). */
export const CONFIG_VARIABLES: Readonly<Record<string, { default: string; description: string }>> = {
  NODE_ENV: { default: 'development', description: '`development`, `test` or `production`; production requires real secrets' },
  HOST: { default: '127.0.0.1', description: 'interface every service binds to (`0.0.0.0` in containers)' },
  GATEWAY_PORT: { default: '4000', description: 'port of the gateway (`/graphql`, `/healthz`, `/readyz`)' },
  CATALOG_PORT: { default: '4001', description: 'port of the catalog subgraph' },
  INVENTORY_PORT: { default: '4002', description: 'port of the inventory subgraph' },
  ORDERS_PORT: { default: '4003', description: 'port of the orders subgraph' },
  FINANCE_PORT: { default: '4004', description: 'port of the finance subgraph' },
  SUBGRAPH_CATALOG_URL: { default: '(from supergraph)', description: 'routing URL override for catalog, used by the gateway' },
  SUBGRAPH_INVENTORY_URL: { default: '(from supergraph)', description: 'routing URL override for inventory' },
  SUBGRAPH_ORDERS_URL: { default: '(from supergraph)', description: 'routing URL override for orders' },
  SUBGRAPH_FINANCE_URL: { default: '(from supergraph)', description: 'routing URL override for finance' },
  DATABASE_URL: { default: '(unset: embedded PGlite)', description: 'PostgreSQL connection string; switches storage to node-postgres' },
  DATA_DIR: { default: '.data/pglite', description: 'PGlite data directory (embedded mode)' },
  SUPERGRAPH_PATH: { default: 'supergraph.graphql', description: 'composed supergraph the gateway serves; reloaded when the file changes' },
  AUTH_JWT_SECRET: { default: '(dev secret; required in production)', description: 'HS256 secret that signs viewer JWTs' },
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
}

const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-in-production'
const DEV_SIGNING_SECRET = 'dev-only-viewer-signing-secret-change-me'
const DEFAULT_PORTS: Record<SubgraphName, number> = { catalog: 4001, inventory: 4002, orders: 4003, finance: 4004 }
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

  const secret = (name: string, devDefault: string): string => {
    const raw = env[name]
    if (raw !== undefined && raw !== '') {
      if (raw.length < 32) problems.push(`${name} must be at least 32 characters`)
      return raw
    }
    if (production) problems.push(`${name} is required when NODE_ENV=production`)
    return devDefault
  }

  const subgraphPorts = Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [name, integer(`${name.toUpperCase()}_PORT`, DEFAULT_PORTS[name], 0, 65535)]),
  ) as Record<SubgraphName, number>
  const subgraphUrls: Partial<Record<SubgraphName, string>> = {}
  for (const name of SUBGRAPH_NAMES) {
    const value = url(`SUBGRAPH_${name.toUpperCase()}_URL`, ['http:', 'https:'])
    if (value) subgraphUrls[name] = value
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
    jwtSecret: secret('AUTH_JWT_SECRET', DEV_JWT_SECRET),
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
