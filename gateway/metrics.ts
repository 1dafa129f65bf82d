import type { ApolloServerPlugin } from '@apollo/server'
import type { Registry } from 'prom-client'
import { Counter, Histogram } from 'prom-client'
import { ERROR_CODES } from '../platform/errors.ts'
import { BREAKER_STATES } from '../platform/circuitBreaker.ts'
import { boundedLabel, countedElsewhere, gaugeOf, LATENCY_BUCKETS } from '../platform/metrics.ts'
import type { GatewayContext } from './context.ts'
import type { ResponseCache } from './responseCache.ts'
import type { SubscriptionMetrics } from './subscriptions/metrics.ts'
import type { SubgraphTransport } from '../platform/subgraphTransport.ts'

/** Operation names kept as labels; later ones count as `other`. */
const MAX_OPERATION_NAMES = 500

/** What the gateway's own modules count, read when Prometheus scrapes. */
export interface GatewayCounts {
  readonly refusals: Readonly<Record<string, number>>
  readonly deduplication: () => { readonly mergedQueries: number; readonly sharedSubgraphFetches: number }
  readonly responseCache: ResponseCache | null
  readonly subscriptions: () => SubscriptionMetrics & { readonly connections: number }
  /** Each subgraph's transport (breaker and retries). */
  readonly transports: () => ReadonlyMap<string, SubgraphTransport>
}

export interface GatewayMetrics {
  /** Times each client operation and counts its errors by code. */
  readonly plugin: ApolloServerPlugin<GatewayContext>
  /** One subgraph call (shared calls once), with its outcome. */
  fetched(subgraph: string, seconds: number, outcome: 'ok' | 'error'): void
}

/**
 * The gateway's series: `graphql_operation_duration_seconds` (by operation name and type),
 * `graphql_errors_total` (by code), `subgraph_fetch_duration_seconds` (by subgraph and outcome),
 * the response cache, edge refusals, deduplication, and graphql-ws connections and subscriptions.
 */
export function gatewayMetrics(registry: Registry, counts: GatewayCounts): GatewayMetrics {
  const nameLabel = boundedLabel(MAX_OPERATION_NAMES)
  const operations = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'GraphQL operations at the gateway, from the request to the response, by operation name (bounded) and type',
    labelNames: ['operation_name', 'operation_type'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  })
  const errors = new Counter({
    name: 'graphql_errors_total',
    help: 'Errors in GraphQL responses at the gateway, by extensions.code',
    labelNames: ['code'] as const,
    registers: [registry],
  })
  const fetches = new Histogram({
    name: 'subgraph_fetch_duration_seconds',
    help: 'Calls from the gateway to a subgraph (identical calls in flight shared count once), by subgraph and outcome',
    labelNames: ['subgraph', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  })
  countedElsewhere(registry, { name: 'gateway_refusals_total', help: 'Requests refused at the edge, by code', labelNames: ['code'] }, () =>
    Object.entries(counts.refusals).map(([code, n]) => [{ code }, n] as const),
  )
  countedElsewhere(registry, { name: 'gateway_deduplicated_total', help: 'Work shared in flight: merged client queries and shared subgraph fetches', labelNames: ['kind'] }, () => {
    const { mergedQueries, sharedSubgraphFetches } = counts.deduplication()
    return [
      [{ kind: 'merged_query' }, mergedQueries],
      [{ kind: 'shared_subgraph_fetch' }, sharedSubgraphFetches],
    ]
  })
  if (counts.responseCache) {
    const cache = counts.responseCache
    countedElsewhere(registry, { name: 'gateway_response_cache_total', help: 'Response cache lookups (hit, miss, shared) and what became of misses (stored, not_stored)', labelNames: ['result'] }, () => {
      const stats = cache.stats()
      return [
        [{ result: 'hit' }, stats.hits],
        [{ result: 'miss' }, stats.misses],
        [{ result: 'shared' }, stats.shared],
        [{ result: 'stored' }, stats.stored],
        [{ result: 'not_stored' }, stats.notStored],
      ]
    })
    countedElsewhere(registry, { name: 'gateway_response_cache_invalidations_total', help: 'Tags dropped from the response cache by events', labelNames: [] }, () => [[{}, cache.stats().invalidations]])
  }
  gaugeOf(registry, { name: 'subgraph_circuit_state', help: "Each subgraph's circuit breaker: 1 for the state it is in (closed, half_open, open), 0 for the others", labelNames: ['subgraph', 'state'] }, () =>
    [...counts.transports()].flatMap(([subgraph, transport]) => {
      const { state } = transport.stats()
      return BREAKER_STATES.map((s) => [{ subgraph, state: s }, s === state ? 1 : 0] as const)
    }),
  )
  countedElsewhere(registry, { name: 'subgraph_transport_total', help: 'Per subgraph: query retries made, times the breaker opened, calls refused while it was open', labelNames: ['subgraph', 'event'] }, () =>
    [...counts.transports()].flatMap(([subgraph, transport]) => {
      const stats = transport.stats()
      return [
        [{ subgraph, event: 'retry' }, stats.retries],
        [{ subgraph, event: 'opened' }, stats.opened],
        [{ subgraph, event: 'short_circuited' }, stats.shortCircuited],
      ] as const
    }),
  )
  gaugeOf(registry, { name: 'graphql_ws_connections', help: 'Open graphql-ws connections' }, () => [[{}, counts.subscriptions().connections]])
  gaugeOf(registry, { name: 'graphql_subscriptions', help: 'Subscriptions streaming now: client subscriptions and the upstream ones they share', labelNames: ['kind'] }, () => {
    const s = counts.subscriptions()
    return [
      [{ kind: 'client' }, s.subscribers],
      [{ kind: 'upstream' }, s.upstreamSubscriptions],
    ]
  })
  countedElsewhere(registry, { name: 'graphql_subscription_events_total', help: 'Subscription path: upstream events received, executions run, events delivered to clients', labelNames: ['stage'] }, () => {
    const s = counts.subscriptions()
    return [
      [{ stage: 'upstream_event' }, s.upstreamEvents],
      [{ stage: 'execution' }, s.executions],
      [{ stage: 'delivered' }, s.delivered],
      [{ stage: 'slow_consumer_disconnect' }, s.slowConsumerDisconnects],
    ]
  })

  return {
    fetched: (subgraph, seconds, outcome) => fetches.observe({ subgraph, outcome }, seconds),
    plugin: {
      async requestDidStart() {
        const started = performance.now()
        return {
          async willSendResponse({ operation, operationName, response }) {
            // unresolved: refused before the operation was known (unparsable, invalid, unknown id)
            const name = operation ? nameLabel(operationName ?? operation.name?.value ?? '(anonymous)') : '(unresolved)'
            operations.observe({ operation_name: name, operation_type: operation?.operation ?? 'unknown' }, (performance.now() - started) / 1000)
            if (response.body.kind !== 'single') return
            for (const error of response.body.singleResult.errors ?? []) {
              const code = error.extensions?.['code']
              errors.inc({ code: typeof code === 'string' && code in ERROR_CODES ? code : 'other' })
            }
          },
        }
      },
    },
  }
}
