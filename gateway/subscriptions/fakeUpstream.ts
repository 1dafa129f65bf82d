/**
 * Test support: an upstream transport and a clock driven by hand, so the hub's sharing, retries,
 * pauses and merges are tested without sockets or waiting. Everything a test waits for is a
 * signal (a subscription made, a timer asked for), never a sleep.
 */
import type { ExecutionResult } from 'graphql'
import type { Clock, UpstreamRequest, UpstreamSink, UpstreamTransport } from './model.ts'

/** One upstream subscription as a subgraph would see it. */
export class FakeSubscription {
  /** Unsubscribed by the hub, or ended by the test: the sink hears nothing more. */
  ended = false
  unsubscribed = false
  /** Resolves when the hub unsubscribes. */
  readonly released: Promise<void>
  private release: () => void = () => {}

  constructor(
    readonly request: UpstreamRequest,
    private readonly sink: UpstreamSink,
  ) {
    this.released = new Promise((resolve) => {
      this.release = resolve
    })
  }

  emit(result: ExecutionResult): void {
    if (this.ended) throw new Error('emit on an ended upstream subscription')
    this.sink.next(result)
  }

  /** The stream breaks (a socket closed, a subgraph restarting). */
  fail(error: unknown = new Error('upstream down')): void {
    this.end()
    this.sink.error(error)
  }

  complete(): void {
    this.end()
    this.sink.complete()
  }

  /** The connection carrying it (re)opened. */
  connect(): void {
    this.sink.connected()
  }

  unsubscribe(): void {
    this.unsubscribed = true
    this.ended = true
    this.release()
  }

  private end(): void {
    if (this.ended) throw new Error('upstream subscription already ended')
    this.ended = true
  }
}

export class FakeTransport implements UpstreamTransport {
  readonly subscriptions: FakeSubscription[] = []
  private readonly waiting: (() => void)[] = []

  subscribe(request: UpstreamRequest, sink: UpstreamSink): () => void {
    const subscription = new FakeSubscription(request, sink)
    this.subscriptions.push(subscription)
    for (const wake of this.waiting.splice(0)) wake()
    return () => subscription.unsubscribe()
  }

  /** The nth subscription the hub made (1-based), once it has made it. */
  async nth(n: number): Promise<FakeSubscription> {
    while (this.subscriptions.length < n) await new Promise<void>((resolve) => this.waiting.push(resolve))
    return this.subscriptions[n - 1] as FakeSubscription
  }
}

interface Timer {
  readonly at: number
  readonly callback: () => void
  cancelled: boolean
}

/** Time that moves only when the test says; random() is always 0.5, so backoff delays are exact. */
export class ManualClock implements Clock {
  /** Every delay asked for, in order. */
  readonly delays: number[] = []
  private time = 0
  private readonly timers: Timer[] = []
  private readonly waiting: (() => void)[] = []

  now(): number {
    return this.time
  }

  random(): number {
    return 0.5
  }

  setTimeout(callback: () => void, ms: number): () => void {
    const timer: Timer = { at: this.time + ms, callback, cancelled: false }
    this.timers.push(timer)
    this.delays.push(ms)
    for (const wake of this.waiting.splice(0)) wake()
    return () => {
      timer.cancelled = true
    }
  }

  /** Resolves once n timers in all have been asked for. */
  async scheduled(n: number): Promise<void> {
    while (this.delays.length < n) await new Promise<void>((resolve) => this.waiting.push(resolve))
  }

  /** Moves time to the earliest pending timer and runs it. */
  runNext(): void {
    const due = this.timers.filter((timer) => !timer.cancelled).sort((a, b) => a.at - b.at)[0]
    if (!due) throw new Error('no timer pending')
    this.timers.splice(this.timers.indexOf(due), 1)
    this.time = Math.max(this.time, due.at)
    due.callback()
  }

  /** Timers asked for and neither run nor cancelled. */
  get pending(): number {
    return this.timers.filter((timer) => !timer.cancelled).length
  }
}
