import type { ExecutionResult, GraphQLError } from 'graphql'
import { createAsyncQueue, type AsyncQueue } from '../../platform/asyncQueue.ts'
import type { SubscriptionCounters } from './metrics.ts'
import type { ExecuteEvent, Pipeline } from './model.ts'

/** One client subscription: its own bounded buffer, and where it listens now. */
interface Subscriber {
  readonly queue: AsyncQueue<ExecutionResult>
  readonly onSlowConsumer: () => void
  /** Cut off: its buffer overflowed once, and the caller is disconnecting it. */
  slow: boolean
  /** Moves when its upstream merges into another (absorb). */
  audience: Audience
  readonly pipelineKey: string
}

interface Group {
  readonly pipeline: Pipeline
  readonly subscribers: Set<Subscriber>
}

export interface AudienceOptions {
  readonly maxBufferedEvents: number
  readonly counters: SubscriptionCounters
  /** The last subscriber left (or moved away): its upstream has no one to serve. */
  readonly onEmpty: () => void
}

/**
 * Everyone one upstream serves, grouped by pipeline: each event runs once per pipeline and its
 * result goes into each subscriber's own bounded queue, so a slow reader never holds up the
 * others — past maxBufferedEvents it is cut (onSlowConsumer, once) and receives nothing more.
 * This file alone changes who listens where; the hub only asks.
 */
export class Audience {
  private readonly groups = new Map<string, Group>()

  constructor(private readonly options: AudienceOptions) {}

  /** Adds a subscriber to `pipeline` (or to the one with its key already here) and returns its stream. */
  join(pipeline: Pipeline, onSlowConsumer: () => void): AsyncIterableIterator<ExecutionResult> {
    let group = this.groups.get(pipeline.key)
    if (!group) {
      group = { pipeline, subscribers: new Set() }
      this.groups.set(pipeline.key, group)
    }
    const subscriber: Subscriber = {
      onSlowConsumer,
      slow: false,
      audience: this,
      pipelineKey: pipeline.key,
      // the client unsubscribed, disconnected, or read past the end
      queue: createAsyncQueue<ExecutionResult>(() => {
        this.options.counters.add('subscribers', -1)
        subscriber.audience.leave(subscriber)
      }),
    }
    group.subscribers.add(subscriber)
    this.options.counters.add('subscribers')
    return subscriber.queue
  }

  /** Runs `execute` once per pipeline, all at once, and pushes each result to that pipeline's subscribers. */
  async deliver(execute: ExecuteEvent): Promise<void> {
    await Promise.all(
      [...this.groups.values()].map(async (group) => {
        const output = await execute(group.pipeline)
        for (const subscriber of group.subscribers) this.push(subscriber, output)
      }),
    )
  }

  /** Ends every subscriber's stream with `errors` (after what it has buffered). */
  fail(errors: readonly GraphQLError[]): void {
    for (const subscriber of this.subscribers()) {
      subscriber.queue.push({ data: null, errors })
      subscriber.queue.end()
    }
  }

  /** Ends every subscriber's stream (after what it has buffered). */
  end(): void {
    for (const subscriber of this.subscribers()) subscriber.queue.end()
  }

  /**
   * Takes every subscriber of `other` (whose upstream delivers the same events as ours from here
   * on): into our pipeline of the same key, or with its pipeline when we have none.
   */
  absorb(other: Audience): void {
    for (const [key, theirs] of other.groups) {
      const ours = this.groups.get(key)
      if (!ours) this.groups.set(key, theirs)
      for (const subscriber of theirs.subscribers) {
        subscriber.audience = this
        ours?.subscribers.add(subscriber)
      }
    }
    other.groups.clear()
  }

  private leave(subscriber: Subscriber): void {
    const group = this.groups.get(subscriber.pipelineKey)
    group?.subscribers.delete(subscriber)
    if (group?.subscribers.size === 0) this.groups.delete(subscriber.pipelineKey)
    if (this.groups.size === 0) this.options.onEmpty()
  }

  private push(subscriber: Subscriber, result: ExecutionResult): void {
    if (subscriber.slow) return
    if (subscriber.queue.size >= this.options.maxBufferedEvents) {
      subscriber.slow = true
      this.options.counters.add('slowConsumerDisconnects')
      subscriber.onSlowConsumer()
      return
    }
    if (subscriber.queue.push(result)) this.options.counters.add('delivered')
  }

  private *subscribers(): Generator<Subscriber> {
    for (const group of this.groups.values()) yield* group.subscribers
  }
}
