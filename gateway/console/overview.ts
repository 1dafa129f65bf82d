import type { Registry } from 'prom-client'
import type { Config } from '../../platform/config.ts'
import type { SubgraphName } from '../../platform/subgraphRegistry.ts'
import type { ClientSubscriptions } from '../subscriptions/subscribersByClient.ts'
import type { CodeCount, ConsoleOverview, ConsumerState, SubgraphEvents, SubgraphState, TrustedDocumentsState } from './consoleApi.ts'
import { gatherOpenIncidents } from './openIncidents.ts'
import type { OperationStats } from './operationStats.ts'
import { WINDOW_SECONDS } from './operationStats.ts'
import { labelValues, parseExposition, sumOf, type Sample } from './prometheusText.ts'
import { probeReplica, scrapeReplica } from './subgraphCalls.ts'
import type { SupergraphTracker } from './supergraphTracker.ts'

export interface OverviewSources {
  readonly config: Pick<Config, 'nodeEnv' | 'viewerSigningSecret' | 'subgraphReplicaUrls'>
  /** Each subgraph of the current supergraph and its routing URL. */
  readonly routingUrls: () => ReadonlyMap<string, string>
  /** The gateway's own Prometheus registry (its fetches, breakers, errors, sockets). */
  readonly registry: () => Registry | undefined
  readonly operations: OperationStats
  readonly supergraph: SupergraphTracker
  readonly subscribersByClient: () => readonly ClientSubscriptions[]
  readonly trustedDocuments: () => TrustedDocumentsState
  readonly startedAt: number
  /** Per call to a subgraph (probe, scrape, its open incidents). */
  readonly timeoutMs: number
}

/**
 * Everything the console's overview shows, gathered now: the gateway's own numbers from its
 * registry and modules, and per subgraph, a timed probe of every replica and the event figures of
 * its `/metrics`, and the open incidents of those that record them — all subgraphs at once, each
 * call bounded by `timeoutMs`, so a subgraph that is down shows as down within that time and holds
 * nothing up.
 */
export async function gatherOverview(sources: OverviewSources): Promise<ConsoleOverview> {
  const registry = sources.registry()
  const routingUrls = [...sources.routingUrls()]
  const replicas = new Map(routingUrls.map(([name, url]) => [name, replicaUrls(sources, name, url)]))
  const [own, subgraphs, incidents] = await Promise.all([
    registry ? registry.metrics().then(parseExposition) : Promise.resolve([]),
    Promise.all(routingUrls.map(([name, url]) => subgraphState(sources, name, url))),
    gatherOpenIncidents({ replicas, signingSecret: sources.config.viewerSigningSecret, timeoutMs: sources.timeoutMs }),
  ])
  return {
    generatedAt: new Date().toISOString(),
    gateway: {
      nodeEnv: sources.config.nodeEnv,
      uptimeSeconds: Math.round((Date.now() - sources.startedAt) / 1000),
      connections: sumOf(own, 'graphql_ws_connections'),
    },
    supergraph: sources.supergraph.state(),
    subgraphs: subgraphs.map((subgraph) => ({ ...subgraph, ...gatewaySide(own, subgraph.name) })).sort((a, b) => a.name.localeCompare(b.name)),
    operations: sources.operations.snapshot(),
    windowSeconds: WINDOW_SECONDS,
    errorsByCode: countsByLabel(own, 'graphql_errors_total', 'code'),
    subscriptions: {
      subscribers: sumOf(own, 'graphql_subscriptions', { kind: 'client' }),
      upstream: sumOf(own, 'graphql_subscriptions', { kind: 'upstream' }),
      byClient: sources.subscribersByClient(),
    },
    trustedDocuments: sources.trustedDocuments(),
    edgeRefusals: countsByLabel(own, 'gateway_refusals_total', 'code'),
    incidents: incidents.incidents,
    incidentSources: incidents.sources,
  }
}

/** A subgraph's replicas: those its SUBGRAPH_<NAME>_URL lists, its routing URL otherwise. */
const replicaUrls = (sources: OverviewSources, name: string, routingUrl: string): readonly string[] =>
  sources.config.subgraphReplicaUrls[name as SubgraphName] ?? [routingUrl]

/** What the subgraph itself says: its replicas' probes and its /metrics (the gateway's side is added from its registry). */
async function subgraphState(sources: OverviewSources, name: string, routingUrl: string): Promise<Omit<SubgraphState, 'circuit' | 'fetches'>> {
  const urls = replicaUrls(sources, name, routingUrl)
  const probes = await Promise.all(urls.map((url) => probeReplica(url, sources.config.viewerSigningSecret, sources.timeoutMs)))
  // the outbox and dead letters are the database's (one for all replicas); consumers' lag is per replica: the first one up speaks
  const scraped = urls.find((_, i) => probes[i]?.up)
  const samples = scraped ? await scrapeReplica(scraped, sources.timeoutMs) : null
  return {
    name,
    status: probes.some((probe) => probe.up) ? 'up' : 'down',
    replicas: urls.map((url, i) => ({ host: new URL(url).host, up: probes[i]?.up ?? false, probeMs: probes[i]?.ms ?? null })),
    events: samples ? eventsOf(samples) : null,
  }
}

/** What the gateway's own registry says of one subgraph: its breaker and the calls it made. */
function gatewaySide(own: readonly Sample[], subgraph: string): Pick<SubgraphState, 'circuit' | 'fetches'> {
  const circuit = (['closed', 'half_open', 'open'] as const).find((state) => sumOf(own, 'subgraph_circuit_state', { subgraph, state }) === 1) ?? null
  const count = sumOf(own, 'subgraph_fetch_duration_seconds_count', { subgraph })
  const seconds = sumOf(own, 'subgraph_fetch_duration_seconds_sum', { subgraph })
  return { circuit, fetches: { count, errors: sumOf(own, 'subgraph_fetch_duration_seconds_count', { subgraph, outcome: 'error' }), meanMs: count > 0 ? (seconds / count) * 1000 : null } }
}

function eventsOf(samples: readonly Sample[]): SubgraphEvents {
  const consumers: ConsumerState[] = labelValues(samples, 'events_consumed_total', 'consumer').map((consumer) => {
    const lagCount = sumOf(samples, 'event_consumer_lag_seconds_count', { consumer })
    return {
      consumer,
      applied: sumOf(samples, 'events_consumed_total', { consumer, outcome: 'applied' }),
      retries: sumOf(samples, 'events_consumed_total', { consumer, outcome: 'retry' }),
      deadLettered: sumOf(samples, 'events_consumed_total', { consumer, outcome: 'dead_lettered' }),
      meanLagSeconds: lagCount > 0 ? sumOf(samples, 'event_consumer_lag_seconds_sum', { consumer }) / lagCount : null,
    }
  })
  return {
    outboxBacklog: sumOf(samples, 'outbox_unpublished_events'),
    outboxOldestSeconds: sumOf(samples, 'outbox_oldest_unpublished_seconds'),
    deadLetters: sumOf(samples, 'dead_letters'),
    consumers,
  }
}

function countsByLabel(samples: readonly Sample[], name: string, label: string): CodeCount[] {
  return labelValues(samples, name, label)
    .map((code) => ({ code, count: sumOf(samples, name, { [label]: code }) }))
    .filter((entry) => entry.count > 0)
    .sort((a, b) => b.count - a.count)
}
