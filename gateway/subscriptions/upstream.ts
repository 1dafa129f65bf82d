import type { FastifyBaseLogger } from 'fastify'
import { GraphQLError, type ExecutionResult } from 'graphql'
import type { Viewer } from '../../platform/viewer.ts'
import type { SubscriptionCounters } from './metrics.ts'
import type { Clock, UpstreamTransport } from './model.ts'
import { CURSOR_KEY, type PrimaryOperation } from './primaryOperation.ts'
import { graphqlError } from '../../platform/errors.ts'

export interface RetryOptions {
  readonly initialMs?: number
  readonly maxMs?: number
  /** Failing this long without the connection opening again ends the subscribers with SUBGRAPH_UNAVAILABLE. */
  readonly giveUpAfterMs?: number
}

export interface UpstreamStreamOptions {
  readonly transport: UpstreamTransport
  readonly clock: Clock
  readonly logger: FastifyBaseLogger
  readonly counters: SubscriptionCounters
  readonly retry: RetryOptions
  /** Events received and not yet executed beyond which a resumable upstream is paused. */
  readonly maxPendingEvents: number
  /** The hub is closing: an upstream that ends now stays ended. */
  readonly shuttingDown: () => boolean
}

/** What an upstream asks of the hub. */
export interface UpstreamEvents {
  /** Runs one event for the subscribers; the next event waits for it. */
  event(result: ExecutionResult): Promise<void>
  /** Final: the subgraph refused the subscription, or stayed unavailable past the give-up window. */
  failed(errors: readonly GraphQLError[]): void
  /** The connection carrying it opened: whatever failed before has recovered. */
  connected(): void
  /** Everything received has been executed (a moment when it may merge). */
  settled(): void
}

/** Who an upstream subscribes as, and to what. */
export interface UpstreamTarget {
  readonly serviceName: string
  readonly url: string
  /** The visibility forwarded upstream. */
  readonly viewer: Viewer
  readonly primary: PrimaryOperation
}

/**
 * One upstream subscription's life: subscribe, run each event in order, remember the cursor of
 * the last event run, and when the stream ends re-subscribe from that cursor with backoff — until
 * it has failed for giveUpAfterMs without its connection opening again. A resumable stream whose
 * events arrive faster than they run is paused (unsubscribed, drained, re-subscribed from the
 * cursor) so that a long replay never piles up in the gateway. This class alone changes its state.
 */
export class UpstreamStream {
  private cursor: string | null
  private unsubscribe: (() => void) | null = null
  /** Events and ends, in the order they arrived: each runs after the one before. */
  private chain: Promise<void> = Promise.resolve()
  private closed = false
  private failures = 0
  private failingSince: number | null = null
  private cancelRetry: (() => void) | null = null
  /** Events received and not yet executed. */
  private pending = 0
  /** Unsubscribed on purpose to drain: subscribe again from the cursor once drained. */
  private paused = false

  constructor(
    readonly target: UpstreamTarget,
    private readonly options: UpstreamStreamOptions,
    private readonly events: UpstreamEvents,
  ) {
    this.cursor = target.primary.initialCursor
  }

  get isClosed(): boolean {
    return this.closed
  }

  /**
   * The cursor of the last event it ran, while it streams with nothing received left to run; null
   * otherwise. Two upstreams of one class resting at the same cursor deliver the same events from
   * here on.
   */
  get restingCursor(): string | null {
    const resting = !this.closed && !this.paused && this.unsubscribe !== null && this.pending === 0
    return resting ? this.cursor : null
  }

  /** Its connection opened: the give-up window starts again at the next failure. */
  recovered(): void {
    this.failingSince = null
  }

  start(): void {
    if (this.closed) return
    const { transport, counters, logger } = this.options
    const { primary } = this.target
    counters.add('upstreamSubscribes')
    let ended = false
    const end = (error: unknown) => {
      if (ended) return
      ended = true
      this.unsubscribe = null
      this.chain = this.chain
        .then(() => this.afterEnd(error))
        .catch((failure: unknown) => logger.error({ err: failure, service: this.target.serviceName }, 'upstream retry failed'))
    }
    this.unsubscribe = transport.subscribe(
      { serviceName: this.target.serviceName, url: this.target.url, query: primary.query, operationName: primary.operationName, variables: primary.variablesFrom(this.cursor), viewer: this.target.viewer },
      {
        next: (result) => {
          if (ended) return
          counters.add('upstreamEvents')
          this.pending++
          this.chain = this.chain
            .then(() => this.run(result))
            .catch((error: unknown) => logger.error({ err: error, service: this.target.serviceName }, 'subscription event failed'))
            .finally(() => {
              this.pending--
              this.events.settled()
            })
          if (primary.resumable && this.pending > this.options.maxPendingEvents && this.unsubscribe) {
            // more arrives than executes: stop the stream here and resume from the cursor once
            // the events already received are out (afterEnd runs after them, on the same chain)
            counters.add('upstreamPauses')
            this.paused = true
            const unsubscribe = this.unsubscribe
            end(null)
            unsubscribe()
          }
        },
        error: (error) => end(error ?? new Error('upstream error')),
        complete: () => end(null),
        connected: () => this.events.connected(),
      },
    )
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.cancelRetry?.()
    this.cancelRetry = null
    this.unsubscribe?.()
    this.unsubscribe = null
  }

  private async run(result: ExecutionResult): Promise<void> {
    if (this.closed) return
    const root = result.data?.[this.target.primary.rootKey] as Record<string, unknown> | null | undefined
    if (!root) {
      // the subgraph refused the subscription (bad filter, expired cursor, forbidden): final
      this.events.failed((result.errors ?? []) as GraphQLError[])
      return
    }
    this.failures = 0
    const cursor = root[CURSOR_KEY]
    await this.events.event(result)
    if (typeof cursor === 'string') this.cursor = cursor
  }

  private async afterEnd(error: unknown): Promise<void> {
    if (this.closed || this.options.shuttingDown()) return
    if (this.paused) {
      this.paused = false
      this.start()
      return
    }
    // the subgraph ended the stream (restart, redeploy) or the socket broke: subscribe again from
    // the last cursor, with backoff; the subscribers only see latency
    const { clock, logger, counters, retry } = this.options
    const { serviceName } = this.target
    const now = clock.now()
    this.failingSince ??= now
    if (now - this.failingSince > (retry.giveUpAfterMs ?? 60_000)) {
      logger.error({ err: error, service: serviceName }, 'upstream subscription unavailable; ending its subscribers')
      this.events.failed([
        graphqlError('SUBGRAPH_UNAVAILABLE', `Service '${serviceName}' is unavailable; resume with your last cursor`, { serviceName }),
      ])
      return
    }
    this.failures++
    counters.add('upstreamRetries')
    const delay = backoffDelay(this.failures, retry, clock.random())
    logger.warn({ service: serviceName, delayMs: Math.round(delay), failures: this.failures, reason: describe(error) }, 'upstream subscription ended; re-subscribing')
    this.cancelRetry = clock.setTimeout(() => {
      this.cancelRetry = null
      this.start()
    }, delay)
  }
}

/** Exponential from initialMs, capped at maxMs, with half of it random (upstreams that failed together spread out). */
export function backoffDelay(failures: number, retry: RetryOptions, random: number): number {
  const base = Math.min(retry.maxMs ?? 5000, (retry.initialMs ?? 100) * 2 ** Math.min(failures - 1, 10))
  return base / 2 + random * (base / 2)
}

const describe = (error: unknown): string => {
  if (error === null || error === undefined) return 'completed'
  if (error instanceof Error) return error.message
  const close = error as { code?: number; reason?: string }
  if (typeof close.code === 'number') return `closed ${close.code} ${close.reason ?? ''}`.trim()
  return String(error)
}
