/**
 * Every core for one service: `runClustered` forks `workers` processes that share one listening
 * port (node:cluster; on Linux the primary accepts connections and hands each to a worker in
 * turn). A connection stays on the worker that got it, so a graphql-ws socket and its
 * subscriptions live and end in one worker, exactly as in a single process.
 *
 * The primary replaces a worker that dies (and gives up, exiting 1, when workers keep dying within
 * seconds of starting: a configuration or code fault a restart will not fix). SIGTERM or SIGINT
 * reaches every worker, each drains as a lone process would (readiness fails, in-flight requests
 * finish, sockets close with 1001), and the primary exits once all have: 0 when every worker
 * drained clean, 1 when one did not (it exited 1, or was still running after `maxDrainMs` and
 * was killed).
 */
import cluster, { type Worker } from 'node:cluster'
import type { FastifyBaseLogger } from 'fastify'
import { SHUTDOWN_MESSAGE } from './service.ts'

export interface ClusterOptions {
  readonly workers: number
  /** What a worker runs: the single-process entry point. */
  readonly start: () => Promise<void>
  readonly logger: FastifyBaseLogger
  /** How long the primary waits for workers to drain after a signal before it kills them. */
  readonly maxDrainMs: number
}

/** A worker that dies this soon after it was forked counts towards giving up. */
const EARLY_DEATH_MS = 5000
const MAX_EARLY_DEATHS = 5

export async function runClustered(options: ClusterOptions): Promise<void> {
  if (options.workers <= 1) {
    await options.start()
    return
  }
  if (cluster.isWorker) {
    await startWorker(options.start)
    return
  }
  const { logger } = options
  const forkedAt = new Map<Worker, number>()
  // a worker can take a drain request once it listens; before, it has served nothing and is stopped by a signal
  const listening = new WeakSet<Worker>()
  cluster.on('listening', (worker) => listening.add(worker))
  let earlyDeaths = 0
  let stopping = false
  let stoppingSince = 0
  let drainedClean = true

  const fork = () => {
    const worker = cluster.fork()
    forkedAt.set(worker, Date.now())
  }
  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (forkedAt.get(worker) ?? 0)
    forkedAt.delete(worker)
    if (stopping) {
      // a worker stopped by the signal before it listened had served nothing: nothing was lost
      if (code !== 0 && listening.has(worker)) drainedClean = false
      if (forkedAt.size === 0) {
        const durationMs = Date.now() - stoppingSince
        if (drainedClean) logger.info({ durationMs }, 'every worker drained')
        else logger.error({ durationMs }, 'a worker did not drain clean')
        process.exit(drainedClean ? 0 : 1)
      }
      return
    }
    earlyDeaths = lived < EARLY_DEATH_MS ? earlyDeaths + 1 : 0
    if (earlyDeaths >= MAX_EARLY_DEATHS) {
      logger.fatal({ code, signal }, `${MAX_EARLY_DEATHS} workers died within ${EARLY_DEATH_MS} ms of starting; giving up`)
      process.exit(1)
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'worker died; starting another')
    fork()
  })

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // a second signal: no more waiting
      for (const worker of forkedAt.keys()) worker.process.kill('SIGKILL')
      process.exit(1)
    }
    stopping = true
    stoppingSince = Date.now()
    logger.info({ signal, workers: forkedAt.size }, 'draining workers')
    if (forkedAt.size === 0) process.exit(0)
    for (const worker of forkedAt.keys()) {
      if (listening.has(worker)) worker.send(SHUTDOWN_MESSAGE)
      else worker.process.kill('SIGTERM')
    }
    setTimeout(() => {
      logger.error({ workers: forkedAt.size }, 'workers still running after the drain bound; killing them')
      for (const worker of forkedAt.keys()) worker.process.kill('SIGKILL')
      process.exit(1)
    }, options.maxDrainMs).unref()
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)

  for (let i = 0; i < options.workers; i++) fork()
  logger.info({ workers: options.workers, pid: process.pid }, 'primary started its workers')
}

/**
 * A worker's start. A drain the primary asks for between `listen` and `start` installing its
 * shutdown handler would be lost: it is remembered, and the worker drains as soon as it has started.
 */
async function startWorker(start: () => Promise<void>): Promise<void> {
  let asked = false
  const early = (message: unknown) => {
    if (message === SHUTDOWN_MESSAGE) asked = true
  }
  process.on('message', early)
  await start()
  process.off('message', early)
  if (asked) process.emit('message', SHUTDOWN_MESSAGE, undefined)
}
