import { createHash, randomUUID } from 'node:crypto'
import type { SubscriptionNode } from '@apollo/query-planner'
import type { FastifyBaseLogger } from 'fastify'
import { GraphQLError, type DocumentNode, type ExecutionResult } from 'graphql'
import type { Client } from 'graphql-ws'
import { createAsyncQueue, type AsyncQueue } from '../../platform/asyncQueue.ts'
import type { Viewer } from '../../platform/viewer.ts'
import { unnamed } from './eventFetches.ts'
import { eventServiceMap, executePipeline, perEventPlan, type Pipeline } from './pipeline.ts'
import { CURSOR_KEY, preparePrimaryOperation, type PrimaryOperation } from './primaryOperation.ts'
import type { PlannedSubscription, SupergraphRuntime } from './runtime.ts'
import { UpstreamClients } from './upstreamClients.ts'
import { visibilityOf } from './visibility.ts'

/** Counters and gauges of the subscription path (`/metrics/subscriptions`). */
export interface SubscriptionMetrics {
  /** Client subscriptions streaming now. */
  subscribers: number
  /** Upstream subscriptions open now (shared by every subscriber with the same upstream operation, variables and visibility). */
  upstreamSubscriptions: number
  /** Upstream subscribe calls made, re-subscriptions after failures included. */
  upstreamSubscribes: number
  upstreamRetries: number
  /** Times a resumable upstream was paused because its events arrived faster than they executed. */
  upstreamPauses: number
  /** Upstreams that caught up with another of their class and handed it their subscribers. */
  upstreamMerges: number
  upstreamEvents: number
  /** Per-event executions of the rest of a plan (one per distinct client operation per event). */
  executions: number
  /** Entity fetches sent to subgraphs for events. */
  entityFetches: number
  /** Entity fetches answered from another execution of the same event (same selection). */
  entityFetchesShared: number
  /** Results handed to client subscriptions. */
  delivered: number
  slowConsumerDisconnects: number
}

export interface SubscribeRequest {
  /** The document's text (the key of plans and executions) and the document parsed from it. */
  readonly query: string
  readonly document: DocumentNode
  readonly operationName: string | null | undefined
  readonly variables: Readonly<Record<string, unknown>>
  readonly viewer: Viewer
  /** Called once when this subscriber's buffer passes the limit; the caller disconnects it. */
  readonly onSlowConsumer: () => void
}

export interface SubscriptionHubOptions {
  readonly signingSecret: string
  readonly logger: FastifyBaseLogger
  readonly maxBufferedEvents: number
  readonly retry?: { readonly initialMs?: number; readonly maxMs?: number; readonly giveUpAfterMs?: number }
  /**
   * Upstream events received and not yet executed beyond which a resumable upstream is paused:
   * unsubscribed, drained, and subscribed again from the last cursor (a long replay never piles
   * up in the gateway). Default 1000.
   */
  readonly maxPendingEvents?: number
}

export interface Subscriber {
  readonly queue: AsyncQueue<ExecutionResult>
  readonly onSlowConsumer: () => void
  slow: boolean
  /** Where it is served now (it moves when its upstream merges into another). */
  pipeline: Pipeline
}

export interface Upstream {
  readonly key: string
  /** The key without the starting cursor: upstreams of one class deliver the same events once caught up. */
  readonly classKey: string
  readonly serviceName: string
  readonly runtime: SupergraphRuntime
  readonly viewer: Viewer
  readonly primary: PrimaryOperation
  readonly client: Client
  readonly clientKey: string
  readonly pipelines: Map<string, Pipeline>
  cursor: string | null
  unsubscribe: (() => void) | null
  chain: Promise<void>
  closed: boolean
  failures: number
  failingSince: number | null
  retryTimer: NodeJS.Timeout | null
  /** Events received and not yet executed. */
  pending: number
  /** Unsubscribed on purpose to drain: subscribe again from the cursor once drained. */
  paused: boolean
}

/**
 * Federated subscriptions: a client subscription is planned with the query planner; its primary
 * fetch becomes one upstream graphql-ws subscription to the owning subgraph, shared by every
 * subscriber whose upstream operation, variables and visibility are equal; for each upstream
 * event the rest of the plan (entity fetches to other subgraphs) runs once per distinct client
 * operation, with fetches of the same selection made once per event across them, and the result
 * is pushed to each subscriber's own bounded buffer — a slow subscriber never holds up the others.
 * A failed upstream is re-subscribed with backoff from the cursor of the last event delivered.
 */
export class SubscriptionHub {
  private readonly upstreams = new Map<string, Upstream>()
  private readonly classes = new Map<string, Set<Upstream>>()
  private readonly clients: UpstreamClients
  private readonly counters: SubscriptionMetrics = {
    subscribers: 0, upstreamSubscriptions: 0, upstreamSubscribes: 0, upstreamRetries: 0, upstreamPauses: 0, upstreamMerges: 0, upstreamEvents: 0, executions: 0,
    entityFetches: 0, entityFetchesShared: 0, delivered: 0, slowConsumerDisconnects: 0,
  }
  private closing = false

  constructor(private readonly options: SubscriptionHubOptions) {
    this.clients = new UpstreamClients(options.signingSecret, (clientKey) => {
      for (const upstream of this.upstreams.values()) if (upstream.clientKey === clientKey) upstream.failingSince = null
    })
  }

  metrics(): SubscriptionMetrics {
    return { ...this.counters }
  }

  /** Starts a client subscription, or returns the errors that stop it from starting. */
  subscribe(runtime: SupergraphRuntime, request: SubscribeRequest): AsyncIterableIterator<ExecutionResult> | ExecutionResult {
    let planned: PlannedSubscription
    try {
      planned = runtime.plan(request.document, request.operationName, request.query)
    } catch (error) {
      return { errors: [new GraphQLError(`The subscription cannot be planned: ${(error as Error).message}`, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })] }
    }
    const node = planned.plan.node as SubscriptionNode | undefined
    if (node?.kind !== 'Subscription') {
      return { errors: [new GraphQLError('Not a subscription operation', { extensions: { code: 'BAD_REQUEST' } })] }
    }
    const primary = preparePrimaryOperation(node.primary, request.variables, (field) => runtime.resumableFields.has(field))
    const visibility = visibilityOf(request.viewer)
    const visibilityKey = JSON.stringify(visibility)
    // keyed without the operation's name (the planner derives it from the client's): clients that
    // name the same selection differently share the upstream subscription. A subscriber resuming
    // from a cursor starts an upstream of its own (one already replaying has sent events it needs)
    // that merges into its class once both stand at the same event.
    const classKey = hash([node.primary.serviceName, visibilityKey, unnamed(primary.query), JSON.stringify(primary.variablesFrom(null))])
    const upstreamKey = primary.initialCursor === null ? classKey : `${classKey}:${randomUUID()}`
    const upstream =
      this.upstreams.get(upstreamKey) ?? this.openUpstream(upstreamKey, classKey, runtime, node.primary.serviceName, visibility, visibilityKey, primary)

    // `after` shapes only the upstream: resumers that merged share one execution per event
    const { [primary.clientAfterVariable ?? '']: _after, ...shapingVariables } = request.variables
    const pipelineKey = hash([request.query, request.operationName ?? '', JSON.stringify(shapingVariables)])
    let pipeline = upstream.pipelines.get(pipelineKey)
    if (!pipeline) {
      pipeline = {
        key: pipelineKey,
        planned,
        plan: perEventPlan(node),
        request: { query: request.query, variables: { ...shapingVariables }, operationName: request.operationName ?? undefined },
        subscribers: new Set(),
        upstream,
      }
      upstream.pipelines.set(pipelineKey, pipeline)
    }
    const subscriber: Subscriber = {
      onSlowConsumer: request.onSlowConsumer,
      slow: false,
      pipeline,
      queue: createAsyncQueue<ExecutionResult>(() => {
        this.counters.subscribers--
        const { pipeline: current } = subscriber
        current.subscribers.delete(subscriber)
        if (current.subscribers.size === 0) current.upstream.pipelines.delete(current.key)
        if (current.upstream.pipelines.size === 0) this.closeUpstream(current.upstream)
      }),
    }
    pipeline.subscribers.add(subscriber)
    this.counters.subscribers++
    return subscriber.queue
  }

  /** Ends every subscription (the socket layer closes the sockets). */
  async close(): Promise<void> {
    this.closing = true
    for (const upstream of [...this.upstreams.values()]) {
      for (const pipeline of upstream.pipelines.values()) for (const subscriber of pipeline.subscribers) subscriber.queue.end()
      this.closeUpstream(upstream)
    }
    await this.clients.disposeAll()
  }

  private openUpstream(key: string, classKey: string, runtime: SupergraphRuntime, serviceName: string, viewer: Viewer, visibilityKey: string, primary: PrimaryOperation): Upstream {
    const url = runtime.urls.get(serviceName)
    if (!url) throw new Error(`no routing URL for ${serviceName}`)
    const { client, clientKey } = this.clients.acquire(url, viewer, visibilityKey)
    const upstream: Upstream = {
      key, classKey, serviceName, runtime, viewer, primary, client, clientKey, pipelines: new Map(),
      cursor: primary.initialCursor, unsubscribe: null, chain: Promise.resolve(), closed: false,
      failures: 0, failingSince: null, retryTimer: null, pending: 0, paused: false,
    }
    this.upstreams.set(key, upstream)
    const peers = this.classes.get(classKey) ?? new Set<Upstream>()
    peers.add(upstream)
    this.classes.set(classKey, peers)
    this.counters.upstreamSubscriptions++
    this.start(upstream)
    return upstream
  }

  private start(upstream: Upstream): void {
    if (upstream.closed) return
    this.counters.upstreamSubscribes++
    let ended = false
    const end = (error: unknown) => {
      if (ended) return
      ended = true
      upstream.unsubscribe = null
      upstream.chain = upstream.chain
        .then(() => this.upstreamEnded(upstream, error))
        .catch((failure: unknown) => this.options.logger.error({ err: failure, service: upstream.serviceName }, 'upstream retry failed'))
    }
    upstream.unsubscribe = upstream.client.subscribe(
      { query: upstream.primary.query, variables: upstream.primary.variablesFrom(upstream.cursor), ...(upstream.primary.operationName ? { operationName: upstream.primary.operationName } : {}) },
      {
        next: (result) => {
          if (ended) return
          this.counters.upstreamEvents++
          upstream.pending++
          upstream.chain = upstream.chain
            .then(() => this.onEvent(upstream, result as ExecutionResult))
            .catch((error: unknown) => this.options.logger.error({ err: error, service: upstream.serviceName }, 'subscription event failed'))
            .finally(() => {
              upstream.pending--
              this.mergeIfCaughtUp(upstream)
            })
          if (upstream.primary.resumable && upstream.pending > (this.options.maxPendingEvents ?? 1000) && upstream.unsubscribe) {
            // more arrives than executes: stop the stream here and resume from the cursor once
            // the events already received are out (end() runs after them, on the same chain)
            this.counters.upstreamPauses++
            upstream.paused = true
            const unsubscribe = upstream.unsubscribe
            end(null)
            unsubscribe()
          }
        },
        error: (error) => end(error ?? new Error('upstream error')),
        complete: () => end(null),
      },
    )
  }

  private async upstreamEnded(upstream: Upstream, error: unknown): Promise<void> {
    if (upstream.closed || this.closing) return
    if (upstream.paused) {
      upstream.paused = false
      this.start(upstream)
      return
    }
    // the subgraph ended the stream (restart, redeploy) or the socket broke: subscribe again from
    // the last cursor, with backoff; the subscribers only see latency
    const retry = this.options.retry ?? {}
    const now = Date.now()
    upstream.failingSince ??= now
    if (now - upstream.failingSince > (retry.giveUpAfterMs ?? 60_000)) {
      this.options.logger.error({ err: error, service: upstream.serviceName }, 'upstream subscription unavailable; ending its subscribers')
      this.fail(upstream, new GraphQLError(`Service '${upstream.serviceName}' is unavailable; resume with your last cursor`, {
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: upstream.serviceName },
      }))
      return
    }
    upstream.failures++
    this.counters.upstreamRetries++
    const base = Math.min(retry.maxMs ?? 5000, (retry.initialMs ?? 100) * 2 ** Math.min(upstream.failures - 1, 10))
    const delay = base / 2 + Math.random() * (base / 2)
    this.options.logger.warn({ service: upstream.serviceName, delayMs: Math.round(delay), failures: upstream.failures, reason: describe(error) }, 'upstream subscription ended; re-subscribing')
    upstream.retryTimer = setTimeout(() => {
      upstream.retryTimer = null
      this.start(upstream)
    }, delay)
  }

  private async onEvent(upstream: Upstream, result: ExecutionResult): Promise<void> {
    if (upstream.closed) return
    const root = result.data?.[upstream.primary.rootKey] as Record<string, unknown> | null | undefined
    if (!root) {
      // the subgraph refused the subscription (bad filter, expired cursor, forbidden): final
      this.fail(upstream, ...((result.errors ?? []) as GraphQLError[]))
      return
    }
    upstream.failures = 0
    const cursor = root[CURSOR_KEY]
    const serviceMap = eventServiceMap(result, upstream.runtime.dataSources, this.counters)
    await Promise.all(
      [...upstream.pipelines.values()].map(async (pipeline) => {
        this.counters.executions++
        const output = await executePipeline(pipeline, serviceMap, upstream.runtime, { viewer: upstream.viewer }, this.options.logger)
        for (const subscriber of pipeline.subscribers) this.push(subscriber, output)
      }),
    )
    if (typeof cursor === 'string') upstream.cursor = cursor
  }

  /**
   * Two upstreams of one class that both delivered the same last event, and have nothing received
   * and unprocessed, deliver the same events from here on: one takes the other's subscribers. The
   * live upstream (no starting cursor) survives when it is one of them.
   */
  private mergeIfCaughtUp(upstream: Upstream): void {
    const idle = (u: Upstream) => !u.closed && !u.paused && u.unsubscribe !== null && u.pending === 0 && u.cursor !== null
    if (!idle(upstream)) return
    for (const peer of this.classes.get(upstream.classKey) ?? []) {
      if (peer === upstream || !idle(peer) || peer.cursor !== upstream.cursor || peer.runtime !== upstream.runtime) continue
      const [survivor, absorbed] = upstream.key === upstream.classKey ? [upstream, peer] : [peer, upstream]
      for (const pipeline of absorbed.pipelines.values()) {
        const existing = survivor.pipelines.get(pipeline.key)
        if (existing) {
          for (const subscriber of pipeline.subscribers) {
            existing.subscribers.add(subscriber)
            subscriber.pipeline = existing
          }
        } else {
          pipeline.upstream = survivor
          survivor.pipelines.set(pipeline.key, pipeline)
        }
      }
      absorbed.pipelines.clear()
      this.counters.upstreamMerges++
      this.closeUpstream(absorbed)
      return
    }
  }

  private push(subscriber: Subscriber, result: ExecutionResult): void {
    if (subscriber.slow) return
    if (subscriber.queue.size >= this.options.maxBufferedEvents) {
      subscriber.slow = true
      this.counters.slowConsumerDisconnects++
      subscriber.onSlowConsumer()
      return
    }
    if (subscriber.queue.push(result)) this.counters.delivered++
  }

  private fail(upstream: Upstream, ...errors: GraphQLError[]): void {
    for (const pipeline of upstream.pipelines.values()) {
      for (const subscriber of pipeline.subscribers) {
        subscriber.queue.push({ data: null, errors })
        subscriber.queue.end()
      }
    }
    this.closeUpstream(upstream)
  }

  private closeUpstream(upstream: Upstream): void {
    if (upstream.closed) return
    upstream.closed = true
    if (upstream.retryTimer) clearTimeout(upstream.retryTimer)
    upstream.unsubscribe?.()
    upstream.unsubscribe = null
    this.upstreams.delete(upstream.key)
    const peers = this.classes.get(upstream.classKey)
    peers?.delete(upstream)
    if (peers?.size === 0) this.classes.delete(upstream.classKey)
    this.counters.upstreamSubscriptions--
    this.clients.release(upstream.clientKey)
  }
}

const hash = (parts: readonly string[]): string => createHash('sha256').update(parts.join('\u0000')).digest('hex')

const describe = (error: unknown): string => {
  if (error === null || error === undefined) return 'completed'
  if (error instanceof Error) return error.message
  const close = error as { code?: number; reason?: string }
  if (typeof close.code === 'number') return `closed ${close.code} ${close.reason ?? ''}`.trim()
  return String(error)
}
