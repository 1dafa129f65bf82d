import type { FastifyBaseLogger } from 'fastify'
import type { ExecutionResult } from 'graphql'
import type { Viewer } from '../../platform/viewer.ts'
import { executeSubscriptionEvent, type PlannedSubscription } from './apolloAdapter.ts'
import { eventDataSources } from './eventFetches.ts'
import { Audience } from './fanout.ts'
import { SubscriptionCounters, type SubscriptionMetrics } from './metrics.ts'
import type { Clock, SharedUpstream, SubscribeRequest, UpstreamKeys, UpstreamTransport } from './model.ts'
import { preparePrimaryOperation, type PrimaryOperation } from './primaryOperation.ts'
import type { SupergraphRuntime } from './runtime.ts'
import { mergeOf, pipelineOf, SharedUpstreams, upstreamKeys } from './sharing.ts'
import { UpstreamStream, type RetryOptions } from './upstream.ts'
import { UpstreamClients, type UpstreamReplicas } from './upstreamClients.ts'
import { visibilityOf } from './visibility.ts'
import { SubscribersByClient, type ClientSubscriptions } from './subscribersByClient.ts'
import { graphqlError } from '../../platform/errors.ts'

// bench/subscriptions.ts reads the metrics' shape from here, where it always was
export type { SubscriptionMetrics } from './metrics.ts'

export interface SubscriptionHubOptions {
  readonly signingSecret: string
  readonly logger: FastifyBaseLogger
  readonly maxBufferedEvents: number
  readonly retry?: RetryOptions
  /**
   * Upstream events received and not yet executed beyond which a resumable upstream is paused:
   * unsubscribed, drained, and subscribed again from the last cursor (a long replay never piles
   * up in the gateway). Default 1000.
   */
  readonly maxPendingEvents?: number
  /** How upstream subscriptions reach subgraphs. Default: graphql-ws, the viewer signed with signingSecret. */
  readonly transport?: UpstreamTransport
  /** With the default transport: which replica of a subgraph each (re)connection goes to. Default: its routing URL. */
  readonly replicas?: UpstreamReplicas
  /** Time for backoff and the give-up window. Default: the system's. */
  readonly clock?: Clock
}

const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms)
    return () => clearTimeout(timer)
  },
  random: () => Math.random(),
}

/**
 * Federated subscriptions: a client subscription is planned with the query planner; its primary
 * fetch becomes one upstream subscription to the owning subgraph, shared by every subscriber
 * whose upstream operation, variables and visibility are equal (sharing.ts); for each upstream
 * event the rest of the plan (entity fetches to other subgraphs) runs once per distinct client
 * operation, with fetches of the same selection made once per event across them (eventFetches.ts),
 * and the result is pushed to each subscriber's own bounded buffer (fanout.ts). A failed upstream
 * is re-subscribed with backoff from the cursor of the last event delivered (upstream.ts).
 * This class wires those together; it holds no state of theirs.
 */
export class SubscriptionHub {
  private readonly upstreams = new SharedUpstreams()
  private readonly counters = new SubscriptionCounters()
  private readonly byClient = new SubscribersByClient()
  private readonly transport: UpstreamTransport
  /** The graphql-ws connections when the hub made them itself: they close with it. */
  private readonly ownClients: UpstreamClients | null
  private readonly clock: Clock
  private closing = false

  constructor(private readonly options: SubscriptionHubOptions) {
    this.ownClients = options.transport ? null : new UpstreamClients(options.signingSecret, options.replicas)
    this.transport = options.transport ?? (this.ownClients as UpstreamClients)
    this.clock = options.clock ?? systemClock
  }

  metrics(): SubscriptionMetrics {
    return this.counters.snapshot()
  }

  /** Client subscriptions open now, per viewer (the operator console's partners). */
  subscribersByClient(): ClientSubscriptions[] {
    return this.byClient.snapshot()
  }

  /** Starts a client subscription, or returns the errors that stop it from starting. */
  subscribe(runtime: SupergraphRuntime, request: SubscribeRequest): AsyncIterableIterator<ExecutionResult> | ExecutionResult {
    let planned: PlannedSubscription | null
    try {
      planned = runtime.plan(request.document, request.operationName, request.query)
    } catch (error) {
      return { errors: [graphqlError('GRAPHQL_VALIDATION_FAILED', `The subscription cannot be planned: ${(error as Error).message}`)] }
    }
    if (!planned) return { errors: [graphqlError('BAD_REQUEST', 'Not a subscription operation')] }
    const { serviceName } = planned.primary
    const primary = preparePrimaryOperation(planned.primary, request.variables, (field) => runtime.resumableFields.has(field))
    const visibility = visibilityOf(request.viewer)
    const keys = upstreamKeys(serviceName, visibility, primary)
    const upstream = this.upstreams.get(keys.upstreamKey) ?? this.open(keys, runtime, serviceName, visibility, primary)
    return this.byClient.track(request.viewer, upstream.audience.join(pipelineOf(request, primary, planned), request.onSlowConsumer))
  }

  /** Ends every subscription (the socket layer closes the sockets). */
  async close(): Promise<void> {
    this.closing = true
    for (const upstream of this.upstreams.all()) {
      upstream.audience.end()
      this.closeUpstream(upstream)
    }
    await this.ownClients?.close()
  }

  private open(keys: UpstreamKeys, runtime: SupergraphRuntime, serviceName: string, visibility: Viewer, primary: PrimaryOperation): SharedUpstream {
    const url = runtime.urls.get(serviceName)
    if (!url) throw new Error(`no routing URL for ${serviceName}`)
    // the stream and the audience call back into the record that holds them (once it exists)
    const upstream: SharedUpstream = {
      keys,
      runtime,
      connectionKey: `${url}\u0000${JSON.stringify(visibility)}`,
      audience: new Audience({ maxBufferedEvents: this.options.maxBufferedEvents, counters: this.counters, onEmpty: () => this.closeUpstream(upstream) }),
      stream: new UpstreamStream(
        { serviceName, url, viewer: visibility, primary },
        {
          transport: this.transport,
          clock: this.clock,
          logger: this.options.logger,
          counters: this.counters,
          retry: this.options.retry ?? {},
          maxPendingEvents: this.options.maxPendingEvents ?? 1000,
          shuttingDown: () => this.closing,
        },
        {
          event: (result) => this.runEvent(upstream, result),
          failed: (errors) => {
            upstream.audience.fail(errors)
            this.closeUpstream(upstream)
          },
          connected: () => this.recovered(upstream.connectionKey),
          settled: () => this.mergeIfCaughtUp(upstream),
        },
      ),
    }
    this.upstreams.add(upstream)
    this.counters.add('upstreamSubscriptions')
    upstream.stream.start()
    return upstream
  }

  /** One event: the rest of each pipeline's plan, with one memo of entity fetches for them all. */
  private async runEvent(upstream: SharedUpstream, result: ExecutionResult): Promise<void> {
    const dataSources = eventDataSources(upstream.runtime.dataSources, this.counters)
    await upstream.audience.deliver((pipeline) => {
      this.counters.add('executions')
      return executeSubscriptionEvent(pipeline.planned, result, dataSources, pipeline.request, { viewer: upstream.stream.target.viewer }, this.options.logger)
    })
  }

  /** A connection opened: every upstream it carries (same URL, same visibility) has recovered. */
  private recovered(connectionKey: string): void {
    for (const upstream of this.upstreams.all()) if (upstream.connectionKey === connectionKey) upstream.stream.recovered()
  }

  private mergeIfCaughtUp(upstream: SharedUpstream): void {
    const merge = mergeOf(upstream, this.upstreams.peersOf(upstream))
    if (!merge) return
    merge.survivor.audience.absorb(merge.absorbed.audience)
    this.counters.add('upstreamMerges')
    this.closeUpstream(merge.absorbed)
  }

  private closeUpstream(upstream: SharedUpstream): void {
    if (upstream.stream.isClosed) return
    upstream.stream.close()
    this.upstreams.remove(upstream)
    this.counters.add('upstreamSubscriptions', -1)
  }
}
