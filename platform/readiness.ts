import type { FastifyInstance } from 'fastify'

declare module 'fastify' {
  interface FastifyInstance {
    /** Present on apps that serve `/readyz` (serveReadiness): the process's shutdown begins the drain here. */
    drain?: Drain
  }
}

export interface Drain {
  /** True once the shutdown began: `/readyz` answers 503 `draining`, everything else is still served. */
  readonly draining: boolean
  begin(): void
}

/** Whether the app can take work when it is not draining, and what `/readyz` shows beside its status (the gateway lists its subgraphs). */
export type ReadinessCheck = () => Promise<{ readonly ready: boolean; readonly details?: Readonly<Record<string, unknown>> }>

/**
 * `GET /readyz`: 503 `{"status":"draining"}` from the moment the shutdown begins, while the
 * listener still serves (platform/shutdown.ts), so load balancers take the instance out before it
 * refuses anything; otherwise 200 `ready` or 503 `unavailable`, as `check` says. `/healthz` stays
 * 200 while draining: the process is alive, and a liveness probe that failed would have it killed
 * before its work is done.
 *
 * While draining every answer carries `Connection: close`, so clients holding keep-alive
 * connections to this instance open their next one to an instance that stays.
 */
export function serveReadiness(app: FastifyInstance, check: ReadinessCheck = async () => ({ ready: true })): void {
  let draining = false
  app.decorate('drain', {
    get draining() {
      return draining
    },
    begin() {
      draining = true
    },
  })
  // a callback hook, not an async one: every answer passes here, and this costs no promise
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) reply.header('connection', 'close')
    done(null, payload)
  })
  app.get('/readyz', async (_request, reply) => {
    if (draining) return reply.code(503).send({ status: 'draining' })
    const { ready, details } = await check()
    // the check may take seconds (the gateway asks every subgraph): a drain begun meanwhile wins
    if (draining) return reply.code(503).send({ status: 'draining' })
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', ...details })
  })
}
