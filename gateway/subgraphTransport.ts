/**
 * How the gateway's calls to one subgraph survive its failures: a timeout per attempt, retries
 * of queries only (a mutation is sent once, whatever happens), jittered and within a retry
 * budget, and a circuit breaker. Used by every call to the subgraph: the data source of query
 * plans and of the subscription path's entity fetches alike (one transport per subgraph).
 *
 * What counts against the subgraph: an attempt that timed out, failed to connect or was cut, or
 * answered 5xx. What does not: the client's own deadline or disconnect, an answer too large to
 * read (the subgraph answered), GraphQL errors in a 200 answer. Retried: connection failures and
 * 502, 503, 504 (the request did not run, or a replica was going away); never a timeout (the
 * subgraph may still be running it, and the deadline is spent).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { CircuitBreaker, type BreakerOptions, type BreakerState } from '../platform/circuitBreaker.ts'
import { ResponseTooLargeError } from '../platform/readCappedResponse.ts'
import { jitteredBackoff, RetryBudget } from '../platform/retryBudget.ts'

/** The breaker is open: the subgraph is not called until `retryAfterMs` has passed (CIRCUIT_OPEN). */
export class CircuitOpenError extends Error {
  constructor(
    readonly serviceName: string,
    readonly retryAfterMs: number,
  ) {
    super(`circuit to ${serviceName} is open`)
    this.name = 'CircuitOpenError'
  }
}

/** An attempt ran out of the subgraph's time (SUBGRAPH_TIMEOUT). */
export class SubgraphTimeoutError extends Error {
  constructor(readonly serviceName: string) {
    super(`${serviceName} did not answer in time`)
    this.name = 'SubgraphTimeoutError'
  }
}

const RETRIED_STATUSES = new Set([502, 503, 504])

export interface SubgraphTransportOptions {
  readonly name: string
  /** One attempt's budget (SUBGRAPH_TIMEOUT_MS). */
  readonly timeoutMs: number
  /** Retries of a query after the first attempt (SUBGRAPH_RETRIES); 0: none. */
  readonly maxRetries: number
  readonly breaker?: Omit<BreakerOptions, 'onStateChange'>
  /** Told when the breaker changes state (logged and counted by the gateway). */
  readonly onBreakerChange?: (state: BreakerState, previous: BreakerState) => void
}

export interface SendOptions {
  /** A query may be retried; a mutation never is. */
  readonly retryable: boolean
  /** The incoming request's signal (its deadline, its client leaving); not the subgraph's fault when it aborts. */
  readonly signal?: AbortSignal
}

export interface TransportStats {
  readonly state: BreakerState
  readonly retries: number
  readonly opened: number
  /** Calls refused at once because the breaker was open. */
  readonly shortCircuited: number
}

export interface SubgraphTransport {
  /** `attempt` under the breaker, with a timeout per attempt, retried when `retryable` allows. */
  send(attempt: (signal: AbortSignal) => Promise<Response>, options: SendOptions): Promise<Response>
  stats(): TransportStats
}

export function createSubgraphTransport(options: SubgraphTransportOptions): SubgraphTransport {
  const counts = { retries: 0, opened: 0, shortCircuited: 0 }
  const breaker = new CircuitBreaker({
    ...options.breaker,
    onStateChange: (state, previous) => {
      if (state === 'open') counts.opened++
      options.onBreakerChange?.(state, previous)
    },
  })
  const budget = new RetryBudget()

  const mayRetry = (send: SendOptions, attempt: number) => send.retryable && attempt <= options.maxRetries && budget.withdraw()
  const backOff = async (attempt: number, signal: AbortSignal | undefined) => {
    counts.retries++
    await sleep(jitteredBackoff(attempt), undefined, signal ? { signal } : {})
  }

  return {
    async send(attempt, send) {
      budget.deposit()
      for (let n = 1; ; n++) {
        if (!breaker.tryAcquire()) {
          counts.shortCircuited++
          throw new CircuitOpenError(options.name, breaker.retryAfterMs())
        }
        const timeout = AbortSignal.timeout(options.timeoutMs)
        const signal = send.signal ? AbortSignal.any([send.signal, timeout]) : timeout
        let response: Response
        try {
          response = await attempt(signal)
        } catch (error) {
          if (send.signal?.aborted && !timeout.aborted) {
            // the client's deadline or departure, not the subgraph's failure
            breaker.released()
            throw error
          }
          if (error instanceof ResponseTooLargeError) {
            breaker.succeeded()
            throw error
          }
          breaker.failed()
          if (timeout.aborted) throw new SubgraphTimeoutError(options.name)
          if (mayRetry(send, n)) {
            await backOff(n, send.signal)
            continue
          }
          throw error
        }
        if (response.status >= 500) {
          breaker.failed()
          if (RETRIED_STATUSES.has(response.status) && mayRetry(send, n)) {
            await backOff(n, send.signal)
            continue
          }
          return response
        }
        breaker.succeeded()
        return response
      }
    },
    stats: () => ({ state: breaker.state(), ...counts }),
  }
}
