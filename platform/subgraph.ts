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
    async buildApp(deps: Deps) {
      const typeDefs = parse(readFileSync(new URL('./schema.graphql', spec.folder), 'utf8'))
      const schema = buildSubgraphSchema({ typeDefs, resolvers: spec.resolvers as never })
      const services = spec.services(deps)
      let stop: (() => Promise<void> | void) | null = null
      const app = await buildSubgraphApp<Context>({
        name: spec.name,
        schema,
        config: deps.config,
        ...(deps.logger ? { logger: deps.logger } : {}),
        context: (viewer) => spec.context({ viewer, db: deps.db, config: deps.config }, services),
        ...(spec.subscriptions ? { subscriptions: true } : {}),
        onClose: async () => {
          await stop?.()
        },
        // without a bus (unit tests) the outbox just fills; with one, the relay publishes it
        ...(deps.bus
          ? { events: { bus: deps.bus, db: deps.db, handlers: spec.consumers?.(deps, services) ?? [], maxDeliveries: deps.config.eventMaxDeliveries } }
          : {}),
      })
      if (spec.start) stop = await spec.start(app, deps, services)
      return app
    },
  }
}
