import type { FastifyInstance } from 'fastify'
import { ConfigError, loadConfig, type Config } from './config.ts'
import type { Bus } from './bus.ts'
import type { Database } from './db.ts'
import { shutDownGracefully, type ShutdownOutcome, type ShutdownStep } from './shutdown.ts'
import { shutdownTracing } from './tracing.ts'
import { migrate } from './migrate.ts'
import pino from 'pino'
import { loggerOptions } from './logging.ts'
import { installConfiguredTracing } from './tracing.ts'
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
 * Runs `shutDown` (platform/shutdown.ts) on SIGINT/SIGTERM once, then exits: 0 when it ended
 * clean (or returned nothing), 1 when a phase failed, it ran out of time or it threw. A second
 * signal exits at once (1). A cluster worker also drains when its primary says so (the primary
 * may relay a signal the worker already got from the terminal: that is not a second signal).
 */
export function onShutdown(shutDown: (reason: string) => Promise<ShutdownOutcome | void>): void {
  let closing = false
  const begin = (reason: string): boolean => {
    if (closing) return false
    closing = true
    shutDown(reason).then(
      (outcome) => process.exit(outcome === undefined || outcome === 'clean' ? 0 : 1),
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
  installConfiguredTracing(config.tracing, [definition.name])
  const { openDatabase } = await import('./openDatabase.ts')
  const { openBus } = await import('./openBus.ts')
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  await prepareSubgraph(definition, db, config)
  const bus = await openBus(config, pinoLogger(config))
  const app = await definition.buildApp({ config, db, bus })
  await listenSubgraph(definition, app, config)
  onShutdown((reason) =>
    shutDownGracefully({ ...shutdownBounds(config), logger: app.log, apps: [{ name: definition.name, app }], then: closingAfterApps({ bus, db }) }, reason),
  )
}

/** SHUTDOWN_READINESS_DELAY_MS and SHUTDOWN_TIMEOUT_MS, as a shutdown plan takes them. */
export const shutdownBounds = (config: Pick<Config, 'shutdownReadinessDelayMs' | 'shutdownTimeoutMs'>) => ({
  readinessDelayMs: config.shutdownReadinessDelayMs,
  timeoutMs: config.shutdownTimeoutMs,
})

/**
 * What closes once the apps have: the bus (the apps' consumers and relays have stopped using it),
 * the database, then the spans still buffered.
 */
export function closingAfterApps(owned: { readonly bus?: Bus | undefined; readonly db?: Database | undefined }): ShutdownStep[] {
  const { bus, db } = owned
  return [
    ...(bus ? [{ phase: 'bus', run: () => bus.close() }] : []),
    ...(db ? [{ phase: 'database', run: () => db.close() }] : []),
    { phase: 'telemetry', run: shutdownTracing },
  ]
}

export const pinoLogger = (config: Pick<Config, 'logLevel'>, name = 'commerce') => pino(loggerOptions(config, name))
