/**
 * Any PaymentProvider, made to survive the PSP's failures: a timeout per attempt, retries with
 * the same idempotency key, and a circuit breaker.
 *
 * - An attempt that does not answer within `timeoutMs` is abandoned (its request's signal
 *   aborts) and counts as a ProviderTimeoutError.
 * - A timeout or a thrown error (connection refused, reset) is retried up to `retries` times
 *   after a jittered pause, with the SAME request and so the same idempotency key: the PSP answers
 *   a repeated key with its first answer, so a retry never moves money twice, whatever the call.
 *   When the retries are spent, the caller gets a ProviderTimeoutError (a thrown error as its
 *   `cause`): no answer, outcome unknown, retry later with the same key.
 * - A decline is an answer: never retried, and a success for the breaker (the PSP is up).
 * - The breaker (platform/circuitBreaker.ts) judges attempts, each a request the PSP failed to
 *   answer, so a PSP that stopped answering is known as down after a couple of calls rather than
 *   after several calls' worth of timeouts. While it is open, calls fail at once with
 *   ProviderUnavailableError (`retryAfterMs`); a call whose own failure opened it ends the same
 *   way, so its caller waits for the probe rather than retrying into an outage.
 */
import { SpanKind, traced } from '../../../platform/tracing.ts'
import { setTimeout as sleep } from 'node:timers/promises'
import { CircuitBreaker, type BreakerOptions, type BreakerState } from '../../../platform/circuitBreaker.ts'
import { jitteredBackoff } from '../../../platform/retryBudget.ts'
import {
  ProviderTimeoutError,
  ProviderUnavailableError,
  type AuthorizeRequest,
  type FollowUpRequest,
  type PaymentProvider,
  type ProviderRequest,
  type ProviderResult,
} from './paymentProvider.ts'

export const PROVIDER_OPERATIONS = ['authorize', 'capture', 'refund', 'void'] as const
export type ProviderOperation = (typeof PROVIDER_OPERATIONS)[number]

/**
 * How one attempt ended: `success` and `declined` (the PSP answered), `timeout`, `error` (it
 * threw), or `short_circuited` (not made: the breaker was open).
 */
export const ATTEMPT_OUTCOMES = ['success', 'declined', 'timeout', 'error', 'short_circuited'] as const
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number]

export interface ResilienceOptions {
  /** One attempt's budget (PAYMENT_PROVIDER_TIMEOUT_MS). */
  readonly timeoutMs: number
  /** Attempts after the first (PAYMENT_PROVIDER_RETRIES); 0: none. */
  readonly retries: number
  /** The breaker's thresholds; its open time is CIRCUIT_OPEN_MS. */
  readonly breaker?: Omit<BreakerOptions, 'onStateChange'>
  /** Pause before retry number n (1-based); default: full jitter from 50 ms, capped at 2 s. */
  readonly backoffMs?: (retry: number) => number
  /** Told every change of the breaker's state, with the failure that led to it (null when none did). */
  readonly onBreakerChange?: (state: BreakerState, previous: BreakerState, lastError: string | null) => void
}

export interface ResilientProvider extends PaymentProvider {
  /** The breaker's state now. */
  state(): BreakerState
  /** Attempts so far, by operation and outcome (the metrics read them at scrape time). */
  attempts(): ReadonlyMap<`${ProviderOperation}:${AttemptOutcome}`, number>
}

const defaultBackoff = (retry: number) => jitteredBackoff(retry, 50, 2000)

/** Wraps `inner`; every call of the result shares one breaker (one per PSP, per process). */
export function resilientProvider(inner: PaymentProvider, options: ResilienceOptions): ResilientProvider {
  const backoff = options.backoffMs ?? defaultBackoff
  const counts = new Map<`${ProviderOperation}:${AttemptOutcome}`, number>()
  const count = (operation: ProviderOperation, outcome: AttemptOutcome) => counts.set(`${operation}:${outcome}`, (counts.get(`${operation}:${outcome}`) ?? 0) + 1)
  // set before each breaker.failed(), so the state-change hook can say what opened it
  let lastError: string | null = null
  const breaker = new CircuitBreaker({
    ...options.breaker,
    onStateChange: (state, previous) => options.onBreakerChange?.(state, previous, lastError),
  })
  const openMs = options.breaker?.openMs ?? 5000

  /** Half-open with a probe already out answers 0: wait about as long as an open breaker would. */
  const unavailable = (operation: ProviderOperation, cause?: unknown) =>
    new ProviderUnavailableError(operation, breaker.retryAfterMs() || openMs, cause === undefined ? {} : { cause })

  async function attempt<R extends ProviderRequest>(operation: ProviderOperation, call: (request: R) => Promise<ProviderResult>, request: R): Promise<ProviderResult> {
    const abandon = new AbortController()
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abandon.abort()
        reject(new ProviderTimeoutError(operation, request.idempotencyKey))
      }, options.timeoutMs)
    })
    const answered = call({ ...request, signal: abandon.signal })
    // an abandoned attempt may still settle later: its outcome is no one's concern
    answered.catch(() => {})
    try {
      return await Promise.race([answered, timedOut])
    } finally {
      clearTimeout(timer)
    }
  }

  function guarded<R extends ProviderRequest>(operation: ProviderOperation, call: (request: R) => Promise<ProviderResult>): (request: R) => Promise<ProviderResult> {
    return async (request) => {
      let failure: unknown
      for (let retry = 0; ; retry++) {
        if (!breaker.tryAcquire()) {
          count(operation, 'short_circuited')
          throw unavailable(operation, failure)
        }
        try {
          // a CLIENT span per attempt, in the trace of the order or mutation that asked
          const result = await traced(`payment provider ${operation}`, {
            kind: SpanKind.CLIENT,
            onlyInTrace: true,
            attributes: { 'commerce.provider': inner.name, 'commerce.provider.operation': operation, 'commerce.attempt': retry + 1 },
          }, async (span) => {
            const answer = await attempt(operation, call, request)
            span?.setAttribute('commerce.provider.outcome', answer.outcome)
            return answer
          })
          count(operation, result.outcome === 'success' ? 'success' : 'declined')
          breaker.succeeded()
          return result
        } catch (error) {
          failure = error
          count(operation, error instanceof ProviderTimeoutError ? 'timeout' : 'error')
          lastError = error instanceof Error ? error.message : String(error)
          breaker.failed()
          if (breaker.state() === 'open') throw unavailable(operation, error)
          if (retry >= options.retries) throw error instanceof ProviderTimeoutError ? error : new ProviderTimeoutError(operation, request.idempotencyKey, { cause: error })
        }
        await sleep(backoff(retry + 1))
      }
    }
  }

  return {
    name: inner.name,
    authorize: guarded<AuthorizeRequest>('authorize', (request) => inner.authorize(request)),
    capture: guarded<FollowUpRequest>('capture', (request) => inner.capture(request)),
    refund: guarded<FollowUpRequest>('refund', (request) => inner.refund(request)),
    void: guarded<FollowUpRequest>('void', (request) => inner.void(request)),
    state: () => breaker.state(),
    attempts: () => counts,
  }
}
