import type { FastifyInstance, FastifyRequest } from 'fastify'
import { timedPhase } from './shutdown.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Requests received and not yet answered (drainOnClose); a shutdown that runs out of time logs it. */
    readonly inFlightRequests?: number
  }
}

/**
 * A graceful close that cannot be held open by a connection that carries nothing. Node's HTTP
 * server waits on close for every connection that is not idle after a response, and a
 * connection on which no request was ever sent (opened by a client's pool and left unused, or
 * by an attacker) counts as busy until the client goes: it would hold a rolling deploy for as
 * long as it likes. So on close, once the requests in flight have been answered (at most
 * `maxWaitMs`), every remaining connection is closed.
 */
export function drainOnClose(app: FastifyInstance, options: { readonly maxWaitMs: number }): void {
  const inFlight = new Set<FastifyRequest>()
  app.decorate('inFlightRequests', { getter: () => inFlight.size })
  app.addHook('onRequest', async (request, reply) => {
    inFlight.add(request)
    // a response whose connection closed before it finished (a client gone mid-answer, through
    // a proxy that aborted it) gets neither onResponse nor onRequestAbort: 'close' comes either way
    reply.raw.once('close', () => inFlight.delete(request))
  })
  const settled = async (request: FastifyRequest) => {
    inFlight.delete(request)
  }
  app.addHook('onResponse', settled)
  app.addHook('onRequestAbort', settled)
  app.addHook('preClose', async () => {
    const waiting = inFlight.size
    await timedPhase(app.log, 'requests in flight', async () => {
      const deadline = Date.now() + options.maxWaitMs
      while (inFlight.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
      if (inFlight.size > 0) app.log.warn({ waiting, unanswered: inFlight.size, maxWaitMs: options.maxWaitMs }, 'requests still in flight after the wait; closing their connections')
      else if (waiting > 0) app.log.info({ answered: waiting }, 'requests in flight answered')
    })
    app.server.closeAllConnections()
  })
}
