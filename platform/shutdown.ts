/**
 * The end of a service process, in the order that loses no work:
 *
 * 1. readiness fails (`/readyz` answers 503 `draining`) while the listener keeps serving, for
 *    SHUTDOWN_READINESS_DELAY_MS: load balancers take the instance out before it refuses anything;
 * 2. each app stops accepting connections (a client's next connection is refused, which tells it
 *    the request never ran: the gateway sends even a mutation to another replica then) and
 *    closes: open sockets drain, requests in flight are answered, the relay publishes no more and
 *    releases its lease, consumers finish and ack the event they hold and take no other;
 * 3. the bus, then the database, close.
 *
 * Every phase is logged with its duration. The whole is bounded by SHUTDOWN_TIMEOUT_MS: past it,
 * what was still open is logged and the process exits 1, before an orchestrator's SIGKILL would
 * end it without a word.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'

/** One thing that closes after the apps (the bus, the database). */
export interface ShutdownStep {
  readonly phase: string
  readonly run: () => Promise<void>
}

export interface ShutdownPlan {
  readonly logger: FastifyBaseLogger
  /** The apps this process serves, in the order they close: the gateway before the subgraphs it calls. */
  readonly apps: readonly { readonly name: string; readonly app: FastifyInstance }[]
  /** What closes after the apps, in order. */
  readonly then?: readonly ShutdownStep[]
  readonly readinessDelayMs: number
  readonly timeoutMs: number
}

/** How a shutdown ended: `clean` exits 0; `failed` (a phase threw; the others still ran) and `timed out` exit 1. */
export type ShutdownOutcome = 'clean' | 'failed' | 'timed out'

/** Runs the plan within its bound. Never throws: a phase that fails is logged and the next one runs. */
export async function shutDownGracefully(plan: ShutdownPlan, reason: string): Promise<ShutdownOutcome> {
  const { logger } = plan
  const steps: ShutdownStep[] = [
    {
      phase: 'readiness',
      run: async () => {
        for (const { app } of plan.apps) app.drain?.begin()
      },
    },
    { phase: 'readiness delay', run: () => sleep(plan.readinessDelayMs) },
    ...plan.apps.map(({ name, app }) => ({ phase: `close ${name}`, run: () => closeApp(app) })),
    ...(plan.then ?? []),
  ]
  const started = performance.now()
  let next = 0
  logger.info({ reason, readinessDelayMs: plan.readinessDelayMs, timeoutMs: plan.timeoutMs }, 'shutting down')

  const sequence = (async (): Promise<ShutdownOutcome> => {
    let failed = false
    for (; next < steps.length; next++) {
      const step = steps[next] as ShutdownStep
      await timedPhase(logger, step.phase, step.run).catch(() => {
        failed = true
      })
    }
    return failed ? 'failed' : 'clean'
  })()

  let timer: NodeJS.Timeout | undefined
  // a timer that holds the process open: were the loop to empty while a phase waits on a promise
  // nothing will settle, node would exit 0 on its own and hide it
  const bound = new Promise<ShutdownOutcome>((resolve) => {
    timer = setTimeout(() => {
      logger.error(
        {
          phase: steps[next]?.phase ?? null,
          notStarted: steps.slice(next + 1).map((step) => step.phase),
          inFlightRequests: Object.fromEntries(plan.apps.map(({ name, app }) => [name, app.inFlightRequests ?? 0])),
          openResources: countOf(process.getActiveResourcesInfo()),
          durationMs: Math.round(performance.now() - started),
        },
        `shutdown did not finish within SHUTDOWN_TIMEOUT_MS (${plan.timeoutMs} ms)`,
      )
      resolve('timed out')
    }, plan.timeoutMs)
  })
  const outcome = await Promise.race([sequence, bound])
  clearTimeout(timer)
  if (outcome !== 'timed out') {
    const durationMs = Math.round(performance.now() - started)
    if (outcome === 'clean') logger.info({ durationMs }, 'shut down')
    else logger.error({ durationMs }, 'shut down, but a phase failed')
  }
  return outcome
}

/** Runs one phase of a shutdown and logs it with its duration (`phase`, `durationMs`), or its failure (then rethrows). */
export async function timedPhase(logger: FastifyBaseLogger, phase: string, run: () => Promise<unknown>): Promise<void> {
  const started = performance.now()
  try {
    await run()
  } catch (error) {
    logger.error({ err: error, phase, durationMs: Math.round(performance.now() - started) }, 'shutdown phase failed')
    throw error
  }
  logger.info({ phase, durationMs: Math.round(performance.now() - started) }, 'shutdown phase done')
}

/**
 * Stops listening first, then closes the app (its preClose hooks drain sockets and requests, its
 * onClose hooks release the rest). Fastify alone would keep accepting connections while its
 * preClose hooks wait and answer their requests 503, which a client cannot tell from a failure
 * part way through a mutation. `server.close()` also closes the idle keep-alive connections; a
 * connection with a request in flight stays until it is answered.
 */
async function closeApp(app: FastifyInstance): Promise<void> {
  if (app.server.listening) app.server.close()
  await app.close()
}

function countOf(names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1
  return counts
}
