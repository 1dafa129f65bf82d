import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { buildSubgraphSchema } from '@apollo/subgraph'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { parse } from 'graphql'
import type { EventHandler } from './consumer.ts'
import { buildSubgraphApp } from './subgraphServer.ts'
import type { Viewer } from './viewer.ts'
import type { Bus } from './bus.ts'
import type { Config } from './config.ts'
import type { SubgraphName } from './subgraphRegistry.ts'
import type { Database } from './db.ts'
import mercuriusCache from 'mercurius-cache'
import { cacheKeyPrefix, createSharedCache, type SharedCache } from './cache.ts'
import { countedElsewhere } from './metrics.ts'
import { tracedDatabase } from './tracedDatabase.ts'
import { subjectMatches, subjectOf, type EventEnvelope } from './events.ts'

export interface SubgraphDeps {
  readonly config: Readonly<Config>
  readonly db: Database
  readonly logger?: FastifyBaseLogger
  /** The event bus; without it the subgraph publishes nothing and consumes nothing (unit tests). */
  readonly bus?: Bus
  /**
   * Where another subgraph listens, for the few synchronous service-to-service calls. Default:
   * `subgraphUrlFrom(config)`. Called per request (test stacks learn ports after building).
   */
  readonly subgraphUrl?: (name: SubgraphName) => string
}

/** SUBGRAPH_<NAME>_URL when set, else the subgraph's port on this host. */
export function subgraphUrlFrom(config: Pick<Config, 'subgraphUrls' | 'subgraphPorts' | 'host'>): (name: SubgraphName) => string {
  return (name) => config.subgraphUrls[name] ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.subgraphPorts[name]}/graphql`
}

/**
 * What every subgraph offers the process that hosts it (`main.ts`, the one-process `npm start`,
 * the seed script and the test database template): its schema's migrations, its part of the demo
 * store, and its app. One value per subgraph, in `subgraphs/<name>/definition.ts`.
 */
export interface SubgraphDefinition<Deps extends SubgraphDeps = SubgraphDeps> {
  readonly name: SubgraphName
  /** Folder of numbered `.sql` migrations, applied in schema `name`. */
  readonly migrationsDir: string
  /**
   * Writes this subgraph's part of the demo store. With `reset` it first deletes what is there;
   * without, it does nothing when the store already has data. Runs in one transaction.
   */
  readonly seed: (db: Database, options: { reset: boolean }) => Promise<void>
  /** Builds the Fastify app; never listens. (A method, so a definition with richer deps is still a definition.) */
  buildApp(deps: Deps): Promise<FastifyInstance>
}

/** What every request context holds; a subgraph's context adds its loaders and services. */
export interface RequestBase {
  readonly viewer: Viewer
  readonly db: Database
  readonly config: Readonly<Config>
  /** The subgraph's shared read cache (disabled with CACHE=off): loaders read through it, mutations invalidate it. */
  readonly cache: SharedCache
}

/**
 * What a subgraph shares between viewers, and what keeps it true. Entries of its loaders are made
 * with `sharedLoader` (platform/loaders.ts); these are the rest.
 */
export interface CacheSpec {
  /**
   * mercurius-cache policies for the Query fields that are safe to share (`{ Query: { products:
   * { skip, references } } }`): each must skip viewers who see more than the public.
   */
  readonly queryPolicy: Record<string, Record<string, object>>
  /** The subjects of the events that change what is cached (the subgraph's own, tailed by every replica). */
  readonly subjects: readonly string[]
  /** The references one event drops; may read the database (the ids behind a sku). */
  readonly invalidates: (event: EventEnvelope, db: Database) => Promise<readonly string[]>
  /** Starts what else keeps entries true (a timer at the next scheduled price change). */
  readonly start?: (cache: SharedCache, db: Database, logger: FastifyBaseLogger) => CacheKeeper
}

/** Something beside the events that keeps a subgraph's cache true; told every event it applies. */
export interface CacheKeeper {
  eventApplied(event: EventEnvelope): void
  /**
   * How long an answer read now stays true without an event (seconds to the next scheduled price
   * change), or null for no bound but the TTL: sent as `Cache-Control: max-age`, so the gateway's
   * response cache keeps the answer no longer.
   */
  maxAgeSeconds?(): number | null
  stop(): void
}

/**
 * One subgraph, declared once in `subgraphs/<name>/subgraph.ts`: its folder holds `schema.graphql`
 * and `migrations/`; the rest is named here. `defineSubgraph` turns it into the definition the
 * hosts use (`main.ts`, `npm start`, the seed script, the test fixture).
 */
export interface SubgraphSpec<Context, Services, Deps extends SubgraphDeps> {
  readonly name: SubgraphName
  /** The subgraph's folder (`new URL('./', import.meta.url)`). */
  readonly folder: URL
  readonly resolvers: object
  readonly seed: SubgraphDefinition['seed']
  /** What requests share (clients of other services, a provider), made once per app. */
  readonly services: (deps: Deps) => Services
  /** The per-request context: the base plus this request's loaders and the shared services. */
  readonly context: (request: RequestBase, services: Services) => Context
  /** The consumers of other subgraphs' events, registered when a bus is given. */
  readonly consumers?: (deps: Deps, services: Services) => readonly EventHandler<any>[]
  /** Serve the schema's subscriptions over graphql-ws. */
  readonly subscriptions?: boolean
  /** What the subgraph caches for every viewer of a visibility, and what invalidates it. */
  readonly cache?: CacheSpec
  /**
   * Starts what runs beside requests (sweepers, feeds) once the app exists, and returns what
   * stops it when the app closes.
   */
  readonly start?: (app: FastifyInstance, deps: Deps, services: Services) => Promise<() => Promise<void> | void>
}

export function defineSubgraph<Context, Services, Deps extends SubgraphDeps = SubgraphDeps>(
  spec: SubgraphSpec<Context, Services, Deps>,
): SubgraphDefinition<Deps> {
  return {
    name: spec.name,
    migrationsDir: fileURLToPath(new URL('./migrations/', spec.folder)),
    seed: spec.seed,
    async buildApp(given: Deps) {
      // every statement of this subgraph's work is a span of its trace (when tracing is on)
      const deps: Deps = { ...given, db: tracedDatabase(given.db) }
      const typeDefs = parse(readFileSync(new URL('./schema.graphql', spec.folder), 'utf8'))
      const schema = buildSubgraphSchema({ typeDefs, resolvers: spec.resolvers as never })
      const services = spec.services(deps)
      let stop: (() => Promise<void> | void) | null = null
      // made once the app (and its logger) exists; no request is served before
      let cache = null as unknown as SharedCache
      const app = await buildSubgraphApp<Context>({
        name: spec.name,
        schema,
        config: deps.config,
        ...(deps.logger ? { logger: deps.logger } : {}),
        context: (viewer) => spec.context({ viewer, db: deps.db, config: deps.config, cache }, services),
        ...(spec.subscriptions ? { subscriptions: true } : {}),
        onClose: async () => {
          await stop?.()
        },
        // without a bus (unit tests) the outbox just fills; with one, the relay publishes it
        ...(deps.bus
          ? { events: { bus: deps.bus, db: deps.db, handlers: spec.consumers?.(deps, services) ?? [], maxDeliveries: deps.config.eventMaxDeliveries } }
          : {}),
      })
      cache = createSharedCache({ namespace: cacheNamespace(deps.config, spec.name), config: deps.config, logger: app.log })
      const stopCaching = spec.cache && cache.enabled ? await keepCacheTrue(app, cache, spec.cache, deps) : async () => {}
      if (spec.start) stop = await spec.start(app, deps, services)
      app.decorate('cache', cache)
      app.get('/metrics/cache', async () => ({ service: spec.name, storage: cache.storage, ...cache.stats() }))
      if (app.metrics && cache.enabled) {
        countedElsewhere(app.metrics, { name: 'subgraph_cache_total', help: 'Shared cache lookups (both layers): hits, misses, and lookups that joined one in flight', labelNames: ['result'] }, () => {
          const stats = cache.stats()
          return [
            [{ result: 'hit' }, stats.hits],
            [{ result: 'miss' }, stats.misses],
            [{ result: 'shared' }, stats.shared],
          ]
        })
        countedElsewhere(app.metrics, { name: 'subgraph_cache_invalidations_total', help: 'References dropped from the shared cache by events and commits', labelNames: [] }, () => [[{}, cache.stats().invalidations]])
      }
      app.addHook('onClose', async () => {
        await stopCaching()
        await cache.close()
      })
      return app
    },
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The subgraph's shared read cache (its stats are at `/metrics/cache`). */
    cache?: SharedCache
  }
}

/** Redis key prefix: replicas of one subgraph over one database share entries, nothing else does. */
function cacheNamespace(config: Pick<Config, 'databaseUrl' | 'cache'>, name: SubgraphName): string {
  return `${cacheKeyPrefix(config)}:${name}:`
}

/**
 * Registers the Query field policies and invalidates what the subgraph's events change, as every
 * replica sees them (a bus tail). A tail that breaks may have missed events: the cache is cleared.
 */
async function keepCacheTrue(app: FastifyInstance, cache: SharedCache, spec: CacheSpec, deps: SubgraphDeps): Promise<() => Promise<void>> {
  // under nodenext the default import is typed as the module object; `.default` is the plugin (at run time too)
  await app.register(mercuriusCache.default, cache.mercuriusCacheOptions(spec.queryPolicy))
  cache.alsoInvalidate(async (references) => app.graphql.cache?.invalidate([...references]))
  const keeper = spec.start?.(cache, deps.db, app.log) ?? null
  if (keeper?.maxAgeSeconds) {
    const maxAge = keeper.maxAgeSeconds.bind(keeper)
    app.addHook('onSend', async (_request, reply, payload) => {
      const seconds = maxAge()
      if (seconds !== null) reply.header('cache-control', `max-age=${Math.max(0, Math.floor(seconds))}`)
      return payload
    })
  }
  const invalidateFor = async (event: EventEnvelope) => {
    try {
      await cache.invalidate(await spec.invalidates(event, deps.db))
      keeper?.eventApplied(event)
    } catch (error) {
      app.log.warn({ err: error, eventId: event.id }, 'cache invalidation failed; clearing the cache')
      await cache.clear()
    }
  }
  // a mutation's commit hands over every event it published: only those the spec tails say what to drop
  cache.invalidateEventsWith(async (event) => {
    const subject = subjectOf(event)
    if (spec.subjects.some((pattern) => subjectMatches(pattern, subject))) await invalidateFor(event)
  })
  const tail = deps.bus
    ? await deps.bus.tail({
        subjects: spec.subjects,
        onEvent: (event) => void invalidateFor(event),
        onError: (error) => {
          app.log.warn({ err: error }, 'cache invalidation tail broke; clearing the cache')
          void cache.clear()
        },
      })
    : null
  return async () => {
    keeper?.stop()
    await tail?.stop()
  }
}
