import type { FastifyInstance } from 'fastify'
import { ConfigError, loadConfig, type Config } from './config.ts'
import type { Database } from './db.ts'
import { migrate } from './migrate.ts'
import pino from 'pino'
import type { SubgraphDefinition } from './subgraph.ts'

/** Migrates the subgraph's schema and, when configured, seeds the demo store into an empty one. */
export async function prepareSubgraph(definition: SubgraphDefinition, db: Database, config: Pick<Config, 'seedOnStart'>): Promise<void> {
  await migrate(db, definition.name, definition.migrationsDir)
  if (config.seedOnStart) await definition.seed(db, { reset: false })
}

/** Listens on the subgraph's configured port. */
export async function listenSubgraph(definition: SubgraphDefinition, app: FastifyInstance, config: Readonly<Config>): Promise<FastifyInstance> {
  await app.listen({ host: config.host, port: config.subgraphPorts[definition.name] })
  return app
}

/** What a cluster primary sends its workers to drain them (platform/cluster.ts). */
export const SHUTDOWN_MESSAGE = 'commerce:shutdown'

/**
 * Closes `close` on SIGINT/SIGTERM once; a second signal exits at once. A cluster worker also
 * drains when its primary says so (the primary may relay a signal the worker already got from the
 * terminal: that is not a second signal).
 */
export function onShutdown(close: () => Promise<void>): void {
  let closing = false
  const begin = (reason: string): boolean => {
    if (closing) return false
    closing = true
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`shutdown after ${reason} failed`, error)
        process.exit(1)
      },
    )
    return true
  }
  const onSignal = (signal: NodeJS.Signals) => {
    if (!begin(signal)) process.exit(1)
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  process.on('message', (message) => {
    if (message === SHUTDOWN_MESSAGE) begin('the primary asked')
  })
}

/** Entry points: the configuration, or every problem with it on stderr and exit 1 (no stack trace for a typo). */
export function loadConfigOrExit(): Readonly<Config> {
  try {
    return loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(1)
    }
    throw error
  }
}

/** The whole of a subgraph's `main.ts`: one service in its own process. */
export async function runSubgraphMain(definition: SubgraphDefinition): Promise<void> {
  const config = loadConfigOrExit()
  const { openDatabase } = await import('./openDatabase.ts')
  const { openBus } = await import('./openBus.ts')
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  await prepareSubgraph(definition, db, config)
  const app = await definition.buildApp({ config, db, bus: await openBus(config, pinoLogger(config)) })
  await listenSubgraph(definition, app, config)
  onShutdown(async () => {
    await app.close()
    await db.close()
  })
}

export const pinoLogger = (config: Pick<Config, 'logLevel'>, name = 'commerce') => pino({ level: config.logLevel, name })
