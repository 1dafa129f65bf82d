/**
 * How calls to one subgraph survive its failures (the gateway's, and a service's own calls to
 * another, such as orders reserving stock in inventory): a timeout per attempt, retries
 * of queries only (a mutation is sent once, whatever happens), jittered and within a retry
 * budget, and a circuit breaker. At the gateway, every call to the subgraph goes through one
 * transport per subgraph: the data source of query plans and of the subscription path's entity
 * fetches alike.
 *
 * With several replicas (`urls`), attempts go round-robin to those believed up, a replica that
 * fails an attempt is set aside until its health check passes (replicas.ts), and a retry goes to
 * another replica at once. A mutation is sent again only to another replica, and only when the
 * first refused the connection (nothing was sent).
 *
 * The breaker judges calls, not attempts: a call that fails on one replica and succeeds on
 * another is a success. What counts against the subgraph: a call whose last attempt timed out,
 * failed to connect or was cut, or answered 5xx. What does not: the client's own deadline or
 * disconnect, an answer too large to read (the subgraph answered), GraphQL errors in a 200
 * answer. Retried: connection failures and 502, 503, 504 (the request did not run, or a replica
 * was going away); never a timeout (the subgraph may still be running it, and the deadline is
 * spent).
 */
import { SpanKind, traced, tracingEnabled } from './tracing.ts'
import { setTimeout as sleep } from 'node:timers/promises'
import { CircuitBreaker, type BreakerOptions, type BreakerState } from './circuitBreaker.ts'
import { ResponseTooLargeError } from './httpPost.ts'
import { jitteredBackoff, RetryBudget } from './retryBudget.ts'
import { ReplicaSet } from './replicas.ts'

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
  /** The subgraph's replicas (one or more URLs). */
  readonly urls: readonly string[]
  /** How often a set-aside replica's health is checked (default 1 s). */
  readonly healthCheckMs?: number
  /** Told when a replica is set aside or comes back. */
  readonly onReplicaChange?: (url: string, up: boolean) => void
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
  /** Replicas believed up now. */
  readonly replicasUp: number
  readonly retries: number
  readonly opened: number
  /** Calls refused at once because the breaker was open. */
  readonly shortCircuited: number
}

/** What an attempt answers: anything with an HTTP status (a fetch Response, a PostAnswer). */
export interface Answered {
  readonly status: number
}

export interface SubgraphTransport {
  /** `attempt` (to the replica at `url`) under the breaker, with a timeout per attempt, retried when `retryable` allows. */
  send<R extends Answered>(attempt: (signal: AbortSignal, url: string) => Promise<R>, options: SendOptions): Promise<R>
  stats(): TransportStats
  /** A replica for a call made elsewhere (a subscription's WebSocket): the next one believed up. */
  pickReplica(): string
  /** That call failed at the transport level: set the replica aside until its health check passes. */
  replicaFailed(url: string): void
  /** Stops the replicas' health checks. */
  close(): void
}

/** The attempt never reached the subgraph: the connection was refused or never made. */
const neverSent = (error: unknown): boolean => {
  // fetch wraps the socket's error in `cause`; undici's request throws it as it is
  const failure = error as { code?: unknown; cause?: { code?: unknown } } | null
  const code = failure?.cause?.code ?? failure?.code
  return typeof code === 'string' && ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT'].includes(code)
}

/**
 * One attempt's signal: aborted when `timeoutMs` passes (reason a TimeoutError) or when the
 * caller's signal aborts (its reason). A controller and a timer rather than AbortSignal.timeout
 * and AbortSignal.any, which cost more than the call on a hot path; `done` clears both.
 */
function attemptSignal(timeoutMs: number, caller: AbortSignal | undefined) {
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort(new DOMException('The operation timed out', 'TimeoutError'))
  }, timeoutMs)
  const onCallerAbort = () => controller.abort(caller?.reason)
  if (caller?.aborted) onCallerAbort()
  else caller?.addEventListener('abort', onCallerAbort, { once: true })
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    done: () => {
      clearTimeout(timer)
      caller?.removeEventListener('abort', onCallerAbort)
    },
  }
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
  const replicas = new ReplicaSet(options.urls, {
    ...(options.healthCheckMs ? { healthCheckMs: options.healthCheckMs } : {}),
    ...(options.onReplicaChange ? { onChange: options.onReplicaChange } : {}),
  })

  const mayRetry = (send: SendOptions, attempt: number) => send.retryable && attempt <= options.maxRetries && budget.withdraw()
  // a retry to a replica not tried yet goes at once; to one tried already, after a jittered pause
  // (a client that leaves during the pause is not the subgraph's failure)
  const backOff = async (attempt: number, tried: ReadonlySet<string>, signal: AbortSignal | undefined) => {
    counts.retries++
    if (tried.size < replicas.urls.length) return
    try {
      await sleep(jitteredBackoff(attempt), undefined, signal ? { signal } : {})
    } catch (aborted) {
      breaker.released()
      throw aborted
    }
  }

  return {
    async send<R extends Answered>(attempt: (signal: AbortSignal, url: string) => Promise<R>, send: SendOptions): Promise<R> {
      if (!breaker.tryAcquire()) {
        counts.shortCircuited++
        throw new CircuitOpenError(options.name, breaker.retryAfterMs())
      }
      budget.deposit()
      const tried = new Set<string>()
      for (let n = 1; ; n++) {
        const url = replicas.pick(tried)
        tried.add(url)
        const attemptOf = attemptSignal(options.timeoutMs, send.signal)
        let response: R
        try {
          // a CLIENT span per attempt (callers put its context in the request's headers)
          response = !tracingEnabled()
            ? await attempt(attemptOf.signal, url)
            : await traced(`POST ${options.name}`, {
                kind: SpanKind.CLIENT,
                onlyInTrace: true,
                attributes: { 'http.request.method': 'POST', 'server.address': new URL(url).host, 'commerce.subgraph': options.name, 'commerce.attempt': n },
              }, async (span) => {
                const answered = await attempt(attemptOf.signal, url)
                span?.setAttribute('http.response.status_code', answered.status)
                return answered
              })
        } catch (error) {
          if (send.signal?.aborted && !attemptOf.timedOut()) {
            // the client's deadline or departure, not the subgraph's failure
            breaker.released()
            throw error
          }
          if (error instanceof ResponseTooLargeError) {
            breaker.succeeded()
            throw error
          }
          replicas.failed(url)
          if (attemptOf.timedOut()) {
            breaker.failed()
            throw new SubgraphTimeoutError(options.name)
          }
          // a mutation goes to another replica only when this one never got it
          const failOver = !send.retryable && neverSent(error) && tried.size < replicas.urls.length
          if (failOver || mayRetry(send, n)) {
            await backOff(n, tried, send.signal)
            continue
          }
          breaker.failed()
          throw error
        } finally {
          attemptOf.done()
        }
        if (response.status >= 500) {
          replicas.failed(url)
          if (RETRIED_STATUSES.has(response.status) && mayRetry(send, n)) {
            await backOff(n, tried, send.signal)
            continue
          }
          breaker.failed()
          return response
        }
        replicas.succeeded(url)
        breaker.succeeded()
        return response
      }
    },
    stats: () => ({ state: breaker.state(), replicasUp: replicas.upCount(), ...counts }),
    pickReplica: () => replicas.pick(),
    replicaFailed: (url) => replicas.failed(url),
    close: () => replicas.close(),
  }
}
