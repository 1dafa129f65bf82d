/**
 * Prometheus metrics (prom-client) at `GET /metrics` of every service, in the text exposition
 * format, each series labelled with its `service`: the process (CPU, memory, event loop lag, GC),
 * every HTTP request by route and status, and what the service adds (the gateway's operations,
 * subgraph fetches and caches; a subgraph's cache, outbox, consumers and database pool).
 *
 * Numbers other modules already keep (cache statistics, refusals by code, the subscription
 * counters) are read when Prometheus scrapes, through `collect`, rather than counted twice.
 * Labels that come from clients are bounded (`boundedLabel`): an attacker who sends ten thousand
 * operation names makes one `other` series, not ten thousand.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { FastifyInstance } from 'fastify'
import { BREAKER_STATES, type BreakerState } from './circuitBreaker.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Every service: its Prometheus registry (GET /metrics). */
    metrics?: Registry
  }
}

/** Seconds: from a cache hit (sub-millisecond) to the request deadline. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

/**
 * The registry of one service, served at `GET /metrics`, with the process's metrics and a
 * histogram of every HTTP request (`http_request_duration_seconds` by method, route and status).
 * In embedded mode several services share one process: each has its own registry and label.
 */
export function serveMetrics(app: FastifyInstance, service: string): Registry {
  const registry = new Registry()
  registry.setDefaultLabels({ service })
  collectDefaultMetrics({ register: registry })
  const requests = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route (the matched pattern, not the URL) and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  })
  app.addHook('onResponse', async (request, reply) => {
    // the route's pattern: a URL never becomes a label (unmatched paths are one series)
    const route = request.routeOptions.url ?? 'unmatched'
    requests.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000)
  })
  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()))
  app.decorate('metrics', registry)
  return registry
}

/** A counter whose value is read at scrape time from a count kept elsewhere (`read` gives label values → total). */
export function countedElsewhere<L extends string>(
  registry: Registry,
  options: { readonly name: string; readonly help: string; readonly labelNames: readonly L[] },
  read: () => Iterable<readonly [Partial<Record<L, string>>, number]>,
): Counter<L> {
  return new Counter<L>({
    ...options,
    labelNames: [...options.labelNames],
    registers: [registry],
    collect() {
      this.reset()
      for (const [labels, value] of read()) if (value > 0) this.inc(labels, value)
    },
  })
}

/** A gauge read at scrape time (may be async: a database count). */
export function gaugeOf<L extends string>(
  registry: Registry,
  options: { readonly name: string; readonly help: string; readonly labelNames?: readonly L[] },
  read: () => Promise<Iterable<readonly [Partial<Record<L, string>>, number]>> | Iterable<readonly [Partial<Record<L, string>>, number]>,
): Gauge<L> {
  return new Gauge<L>({
    name: options.name,
    help: options.help,
    labelNames: [...(options.labelNames ?? [])],
    registers: [registry],
    async collect() {
      this.reset()
      for (const [labels, value] of await read()) this.set(labels, value)
    },
  })
}

/**
 * A label value from clients (operation names): the first `max` distinct values are kept, the
 * rest are `other`, so the number of series stays bounded whatever clients send.
 */
export function boundedLabel(max: number): (value: string) => string {
  const seen = new Set<string>()
  return (value) => {
    if (seen.has(value)) return value
    if (seen.size >= max) return 'other'
    seen.add(value)
    return value
  }
}

/** A circuit breaker's state as a gauge read at scrape time: 1 for the state it is in (closed, half_open, open), 0 for the others. */
export function breakerStateGauge(registry: Registry, name: string, whose: string, state: () => BreakerState): void {
  gaugeOf(registry, { name, help: `${whose} circuit breaker: 1 for the state it is in (closed, half_open, open), 0 for the others`, labelNames: ['state'] }, () => {
    const now = state()
    return BREAKER_STATES.map((s) => [{ state: s }, s === now ? 1 : 0] as const)
  })
}
