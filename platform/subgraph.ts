import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
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
export interface SubgraphDefinition {
  readonly name: SubgraphName
  /** Folder of numbered `.sql` migrations, applied in schema `name`. */
  readonly migrationsDir: string
  /**
   * Writes this subgraph's part of the demo store. With `reset` it first deletes what is there;
   * without, it does nothing when the store already has data. Runs in one transaction.
   */
  readonly seed: (db: Database, options: { reset: boolean }) => Promise<void>
  /** Builds the Fastify app; never listens. */
  readonly buildApp: (deps: SubgraphDeps) => Promise<FastifyInstance>
}
