/**
 * A subgraph's shared read cache: entries of data every viewer of one visibility may see (products,
 * prices, stock sums, locations), kept in memory, or in Redis when REDIS_URL is set so replicas
 * share entries and invalidations. Each entry names its references (`product:prod_0001`,
 * `stock:TEE-001-S`); the subgraph's own events invalidate them (see `CacheSpec`), and the TTL
 * (CACHE_TTL_SECONDS) bounds what no event covers.
 *
 * Two layers use it: mercurius-cache on the subgraph's safe Query fields (`mercuriusCacheOptions`),
 * and per-entity entries behind the request's DataLoaders (`cached`, used by
 * `platform/loaders.ts` `sharedLoader`), so the gateway's `_entities` fetches hit them too.
 *
 * Redis trouble never fails a read: a lookup that errors is a miss. An invalidation lost while
 * Redis was away leaves its entries at most CACHE_TTL_SECONDS.
 */
import { createCache, createStorage, type Cache, type StorageInterface } from 'async-cache-dedupe'
import { Redis } from 'ioredis'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from './config.ts'
import type { EventEnvelope } from './events.ts'

export interface CacheStats {
  readonly hits: number
  readonly misses: number
  /** Lookups that joined an identical one in flight. */
  readonly shared: number
  readonly invalidations: number
}

export interface SharedCache {
  /** False with CACHE=off: `cached` loads every time and `invalidate` does nothing. */
  readonly enabled: boolean
  readonly storage: 'memory' | 'redis' | 'off'
  /**
   * The value of `entity` for `key`: from the cache, or from `load` (identical lookups in flight
   * share one load), stored with the references `references` names for it.
   */
  cached<V>(entity: string, key: string, references: (value: V) => readonly string[], load: () => Promise<V>): Promise<V>
  /** Drops every entry naming one of these references, here and (with Redis) in every replica. */
  invalidate(references: readonly string[]): Promise<void>
  /**
   * Drops everything this process cached (a missed event: better slow than stale). In Redis it
   * drops nothing: a pattern scan would walk the whole server, and the other replicas' tails and
   * the TTL cover the shared entries.
   */
  clear(): Promise<void>
  /** mercurius-cache's options over the same storage, for the subgraph's Query field policies. */
  mercuriusCacheOptions(policy: Record<string, Record<string, object>>): object
  /** Registers invalidation of mercurius-cache's own entries (its cache lives in the plugin). */
  alsoInvalidate(invalidate: (references: readonly string[]) => Promise<unknown>): void
  /**
   * After a commit, with the events it published: drops what they change before the mutation
   * answers, so its author reads the new value at once (other replicas wait for the event).
   */
  committed(events: readonly EventEnvelope[]): Promise<void>
  /** What `committed` does with each event (the subgraph's CacheSpec.invalidates). */
  invalidateEventsWith(handler: (event: EventEnvelope) => Promise<void>): void
  stats(): CacheStats
  close(): Promise<void>
}

export interface SharedCacheOptions {
  /** Prefix of every Redis key and reference (`commerce:cache:<database>:<subgraph>:`); replicas of one subgraph share it. */
  readonly namespace: string
  readonly config: Pick<Config, 'cache' | 'redisUrl'>
  readonly logger: FastifyBaseLogger
}

/** Prefix of a deployment's cache keys in Redis: CACHE_KEY_PREFIX, or `commerce:cache:<database name>`. */
export function cacheKeyPrefix(config: Pick<Config, 'databaseUrl' | 'cache'>): string {
  const database = config.databaseUrl ? new URL(config.databaseUrl).pathname.slice(1) || 'postgres' : 'embedded'
  return config.cache.keyPrefix ?? `commerce:cache:${database}`
}

/** Entries one process keeps per entity in memory (each a row or a small page of rows). */
const MEMORY_ENTRIES = 20_000
/** A Redis command slower than this counts as a miss (or a lost write, which the TTL bounds). */
const REDIS_COMMAND_TIMEOUT_MS = 250

export function createSharedCache(options: SharedCacheOptions): SharedCache {
  if (!options.config.cache.enabled) return disabledCache()
  const ttl = options.config.cache.ttlSeconds
  const counts = { hits: 0, misses: 0, shared: 0, invalidations: 0 }
  const redis = options.config.redisUrl ? openRedis(options.config.redisUrl, options.namespace, options.logger) : null
  const storageLog = quietStorageLog(options.logger)
  const storage = redis
    ? { type: 'redis' as const, options: { client: redis, invalidation: { referencesTTL: ttl }, log: storageLog } }
    : { type: 'memory' as const, options: { size: MEMORY_ENTRIES, invalidation: true, log: storageLog } }
  // both layers count into the same figures
  const counting = { onHit: () => void counts.hits++, onMiss: () => void counts.misses++, onDedupe: () => void counts.shared++ }
  const cache: Cache & Record<string, (args: EntityLookup) => Promise<unknown>> = createCache({
    ttl,
    storage,
    ...(redis ? { transformer: DATES_AND_BIGINTS } : {}),
    ...counting,
    onError: (error: unknown) => options.logger.warn({ err: error }, 'shared cache error; reading from the database'),
  }) as never
  const defined = new Set<string>()
  const others: ((references: readonly string[]) => Promise<unknown>)[] = []
  let onEvent: (event: EventEnvelope) => Promise<void> = async () => {}


  return {
    enabled: true,
    storage: redis ? 'redis' : 'memory',
    cached<V>(entity: string, key: string, references: (value: V) => readonly string[], load: () => Promise<V>): Promise<V> {
      const name = entity
      if (!defined.has(name)) {
        defined.add(name)
        cache.define(name, { serialize: (lookup: EntityLookup) => lookup.key, references: (lookup: EntityLookup, _key: string, value: unknown) => lookup.references(value) }, (lookup: EntityLookup) => lookup.load())
      }
      const lookup: EntityLookup = { key, load, references: (value) => [...references(value as V)] }
      return cache[name]!(lookup) as Promise<V>
    },
    async invalidate(references) {
      if (references.length === 0) return
      counts.invalidations += references.length
      await Promise.all([cache.invalidateAll([...references]), ...others.map((invalidate) => invalidate(references))])
    },
    async clear() {
      // in Redis, clearing by key pattern would scan the whole server: the TTL bounds what is left
      if (!redis) await cache.clear()
    },
    mercuriusCacheOptions: (policy) => ({
      ttl,
      storage,
      policy,
      ...counting,
      onError: (_type: string, _field: string, error: unknown) => options.logger.warn({ err: error }, 'query cache error; reading from the database'),
    }),
    alsoInvalidate(invalidate) {
      others.push(invalidate)
    },
    async committed(events) {
      await Promise.all(events.map((event) => onEvent(event)))
    },
    invalidateEventsWith(handler) {
      onEvent = handler
    },
    stats: () => ({ ...counts }),
    async close() {
      redis?.disconnect()
    },
  }
}

/** Tagged entries of one kind (the gateway's responses), in memory or in Redis under `namespace`; references are dropped with `invalidate`. */
export interface CacheStorage {
  readonly storage: StorageInterface
  readonly kind: 'memory' | 'redis'
  close(): void
}

export function openCacheStorage(options: SharedCacheOptions & { readonly memoryEntries: number }): CacheStorage {
  const ttl = options.config.cache.ttlSeconds
  const log = quietStorageLog(options.logger)
  if (!options.config.redisUrl) {
    return { storage: createStorage('memory', { size: options.memoryEntries, invalidation: true, log }), kind: 'memory', close: () => {} }
  }
  const client = openRedis(options.config.redisUrl, options.namespace, options.logger)
  return { storage: createStorage('redis', { client, invalidation: { referencesTTL: ttl }, log }), kind: 'redis', close: () => client.disconnect() }
}

interface EntityLookup {
  readonly key: string
  readonly load: () => Promise<unknown>
  readonly references: (value: unknown) => string[]
}

function disabledCache(): SharedCache {
  return {
    enabled: false,
    storage: 'off',
    cached: (_entity, _key, _references, load) => load(),
    invalidate: async () => {},
    clear: async () => {},
    mercuriusCacheOptions: () => ({}),
    alsoInvalidate: () => {},
    committed: async () => {},
    invalidateEventsWith: () => {},
    stats: () => ({ hits: 0, misses: 0, shared: 0, invalidations: 0 }),
    close: async () => {},
  }
}

/** One Redis connection per subgraph process, every key under `namespace`. */
function openRedis(url: string, namespace: string, logger: FastifyBaseLogger): Redis {
  const client = new Redis(url, {
    // entries and references alike (async-cache-dedupe stores references as keys and set members
    // as unprefixed keys, which this prefix then finds again)
    keyPrefix: namespace,
    // commands issued in one tick go in one round trip: a page of entities is one MGET-like pipeline
    enableAutoPipelining: true,
    // commands wait for the first connection (at most the command timeout); while Redis is away,
    // each failed reconnect fails what waits (no retries), so lookups miss instead of queueing
    maxRetriesPerRequest: 0,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  })
  let failing = false
  client.on('error', (error) => {
    if (!failing) logger.warn({ err: error }, 'Redis cache unavailable; reading from the database')
    failing = true
  })
  client.on('ready', () => {
    if (!failing) return
    failing = false
    logger.info('Redis cache reachable again')
  })
  return client
}

/** async-cache-dedupe's storage logs every failed command; one warning per outage comes from openRedis. */
function quietStorageLog(logger: FastifyBaseLogger) {
  const nothing = () => {}
  return { debug: nothing, info: nothing, trace: nothing, warn: nothing, error: nothing, fatal: (...args: unknown[]) => logger.fatal(args) }
}

/** Redis entries are JSON: Dates and bigints are tagged on the way in and revived on the way out. */
const DATES_AND_BIGINTS = {
  serialize: (value: unknown) => tag(value),
  deserialize: (value: unknown) => untag(value),
}

function tag(value: unknown): unknown {
  if (value instanceof Date) return { $date: value.toISOString() }
  if (typeof value === 'bigint') return { $bigint: value.toString() }
  if (Array.isArray(value)) return value.map(tag)
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tag(v)]))
  return value
}

function untag(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(untag)
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>
    if (typeof record['$date'] === 'string') return new Date(record['$date'])
    if (typeof record['$bigint'] === 'string') return BigInt(record['$bigint'])
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, untag(v)]))
  }
  return value
}
