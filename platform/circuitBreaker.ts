/**
 * A circuit breaker around calls to one dependency (a subgraph, the payment provider): while the
 * dependency fails, callers fail at once instead of each waiting for its timeout, and the
 * dependency gets room to recover.
 *
 * - closed: calls go through; each outcome is counted in a sliding window (one-second buckets).
 *   It opens when, over the window, at least `minimumCalls` were made and `failureRate` of them
 *   failed, or after `consecutiveFailures` failures in a row (a dependency that is down for a
 *   quiet caller).
 * - open: calls are refused (`tryAcquire` is false) for `openMs`.
 * - half-open: after that, one call at a time is let through as a probe; a success closes the
 *   breaker (with an empty window), a failure opens it again for `openMs`.
 */
export type BreakerState = 'closed' | 'open' | 'half_open'
export const BREAKER_STATES: readonly BreakerState[] = ['closed', 'half_open', 'open']

export interface BreakerOptions {
  /** Share of failed calls over the window that opens the breaker (default 0.5). */
  readonly failureRate?: number
  /** Calls the window must hold before the rate counts (default 10). */
  readonly minimumCalls?: number
  /** Failures in a row that open it whatever the rate (default 5). */
  readonly consecutiveFailures?: number
  /** Length of the sliding window (default 10 s). */
  readonly windowMs?: number
  /** How long it stays open before a probe (default 5 s). */
  readonly openMs?: number
  readonly now?: () => number
  /** Told of every change of state (logs, metrics, incidents). */
  readonly onStateChange?: (state: BreakerState, previous: BreakerState) => void
}

const BUCKET_MS = 1000

export class CircuitBreaker {
  private current: BreakerState = 'closed'
  private openedAt = 0
  private probing = false
  private inARow = 0
  /** [bucket start, calls, failures], oldest first. */
  private buckets: [number, number, number][] = []
  private readonly failureRate: number
  private readonly minimumCalls: number
  private readonly consecutiveFailures: number
  private readonly windowMs: number
  private readonly openMs: number
  private readonly now: () => number

  constructor(private readonly options: BreakerOptions = {}) {
    this.failureRate = options.failureRate ?? 0.5
    this.minimumCalls = options.minimumCalls ?? 10
    this.consecutiveFailures = options.consecutiveFailures ?? 5
    this.windowMs = options.windowMs ?? 10_000
    this.openMs = options.openMs ?? 5000
    this.now = options.now ?? Date.now
  }

  /** The state now (an open breaker whose time is up reads half-open). */
  state(): BreakerState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.openMs) this.move('half_open')
    return this.current
  }

  /**
   * Whether a call may go now. In half-open, only one probe at a time: the caller that got true
   * must report its outcome (`succeeded` or `failed`), or `released` when it never called.
   */
  tryAcquire(): boolean {
    const state = this.state()
    if (state === 'closed') return true
    if (state === 'open' || this.probing) return false
    this.probing = true
    return true
  }

  /** How long until an open breaker lets a probe through (0 when it is not open). */
  retryAfterMs(): number {
    return this.state() === 'open' ? Math.max(0, this.openMs - (this.now() - this.openedAt)) : 0
  }

  succeeded(): void {
    this.inARow = 0
    if (this.current === 'half_open') {
      this.probing = false
      this.buckets = []
      this.move('closed')
      return
    }
    this.count(false)
  }

  failed(): void {
    this.inARow++
    if (this.current === 'half_open') {
      this.probing = false
      this.open()
      return
    }
    if (this.current === 'open') return
    this.count(true)
    const { calls, failures } = this.window()
    if (this.inARow >= this.consecutiveFailures || (calls >= this.minimumCalls && failures / calls >= this.failureRate)) this.open()
  }

  /** A probe that was never made (the request was cancelled first): the next caller may probe. */
  released(): void {
    if (this.current === 'half_open') this.probing = false
  }

  private open(): void {
    this.openedAt = this.now()
    this.move('open')
  }

  private move(state: BreakerState): void {
    if (state === this.current) return
    const previous = this.current
    this.current = state
    this.options.onStateChange?.(state, previous)
  }

  private count(failure: boolean): void {
    const now = this.now()
    const start = now - (now % BUCKET_MS)
    const last = this.buckets[this.buckets.length - 1]
    if (last && last[0] === start) {
      last[1]++
      if (failure) last[2]++
    } else {
      this.buckets.push([start, 1, failure ? 1 : 0])
    }
    while (this.buckets.length > 0 && this.buckets[0]![0] <= now - this.windowMs) this.buckets.shift()
  }

  private window(): { calls: number; failures: number } {
    let calls = 0
    let failures = 0
    for (const [, c, f] of this.buckets) {
      calls += c
      failures += f
    }
    return { calls, failures }
  }
}
