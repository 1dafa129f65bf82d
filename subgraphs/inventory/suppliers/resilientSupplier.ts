/**
 * Any SupplierAdapter, made to survive the supplier's failures, on the model of finance's
 * resilientProvider.ts: a timeout per attempt, retries with the same idempotency key, a breaker.
 *
 * - An attempt that does not answer within `timeoutMs` is abandoned (its signal aborts). The
 *   supplier may still take the order and answer late: the retry, with the same key, gets the
 *   answer it stored, so the order is taken once and its acknowledgement applied once.
 * - A timeout or a SupplierUnreachableError is retried up to `retries` times after a jittered
 *   pause. When they are spent, or the breaker is open, the caller gets SupplierUnavailableError
 *   (`retryAfterMs`): outcome unknown, ask again later with the same key.
 * - A rejection is an answer: never retried, and a success for the breaker (the supplier is up).
 * - A cancellation (`cancelOrder`) is asked the same way, under its own key, behind the same
 *   breaker; a refusal is an answer as a rejection is.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { CircuitBreaker, type BreakerOptions, type BreakerState } from '../../../platform/circuitBreaker.ts'
import { jitteredBackoff } from '../../../platform/retryBudget.ts'
import { SpanKind, traced } from '../../../platform/tracing.ts'
import { SupplierUnavailableError, SupplierUnreachableError, type SupplierAdapter } from './supplier.ts'

/** An attempt abandoned at its timeout (the supplier may still take the order: ask again with the same key). */
class SupplierTimeoutError extends SupplierUnreachableError {}

export interface SupplierResilience {
  /** One attempt's budget (SUPPLIER_TIMEOUT_MS). */
  readonly timeoutMs: number
  /** Attempts after the first (SUPPLIER_RETRIES). */
  readonly retries: number
  /** The breaker's thresholds; its open time is CIRCUIT_OPEN_MS. */
  readonly breaker?: Omit<BreakerOptions, 'onStateChange'>
  /** Pause before retry number n (1-based); default: full jitter from 50 ms, capped at 2 s. */
  readonly backoffMs?: (retry: number) => number
  /**
   * Told every change of the breaker's state, with the failure that led to it (in words of ours,
   * no address: incidents show it to staff; null when none did).
   */
  readonly onBreakerChange?: (state: BreakerState, previous: BreakerState, lastError: string | null) => void
}

/** The supplier call an attempt made. */
export type SupplierOperation = 'place' | 'cancel'

/**
 * What one attempt came to: an answer (`accepted`, `rejected` to a placement; `cancelled`,
 * `refused` to a cancellation), none (`timeout`, `error`), or none tried (`short_circuited`: the
 * breaker was open).
 */
export type SupplierAttemptOutcome = 'accepted' | 'rejected' | 'cancelled' | 'refused' | 'timeout' | 'error' | 'short_circuited'

export interface ResilientSupplier extends SupplierAdapter {
  state(): BreakerState
  /** Attempts so far by operation and outcome, `place:accepted` (the metrics read them at scrape time). */
  attempts(): ReadonlyMap<`${SupplierOperation}:${SupplierAttemptOutcome}`, number>
}

/** What `call` needs to know of one operation: its name, the key it is asked under, and how to read its answer. */
interface Call<A> {
  readonly operation: SupplierOperation
  readonly key: string
  readonly ask: (signal: AbortSignal) => Promise<A>
  readonly outcomeOf: (answer: A) => SupplierAttemptOutcome
}

export function resilientSupplier(inner: SupplierAdapter, options: SupplierResilience): ResilientSupplier {
  const backoff = options.backoffMs ?? ((retry: number) => jitteredBackoff(retry, 50, 2000))
  // set before each breaker.failed(), so the state-change hook can say what opened it
  let lastError: string | null = null
  const breaker = new CircuitBreaker({ ...options.breaker, onStateChange: (state, previous) => options.onBreakerChange?.(state, previous, lastError) })
  const openMs = options.breaker?.openMs ?? 5000
  const counts = new Map<`${SupplierOperation}:${SupplierAttemptOutcome}`, number>()
  const count = (operation: SupplierOperation, outcome: SupplierAttemptOutcome) => {
    const key = `${operation}:${outcome}` as const
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }

  async function attempt<A>(ask: (signal: AbortSignal) => Promise<A>): Promise<A> {
    const abandon = new AbortController()
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abandon.abort()
        reject(new SupplierTimeoutError(`the supplier did not answer within ${options.timeoutMs} ms`))
      }, options.timeoutMs)
    })
    const answered = ask(abandon.signal)
    // an abandoned attempt may still settle later: the retry asks for its answer by key
    answered.catch(() => {})
    try {
      return await Promise.race([answered, timedOut])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Every attempt under the same key: a placement and a cancellation share the breaker (one supplier). */
  async function call<A>({ operation, key, ask, outcomeOf }: Call<A>): Promise<A> {
    let failure: unknown = null
    for (let retry = 0; ; retry++) {
      if (!breaker.tryAcquire()) {
        count(operation, 'short_circuited')
        const why = failure instanceof Error ? failure.message : 'the supplier has been failing'
        throw new SupplierUnavailableError(why, breaker.retryAfterMs() || openMs, { cause: failure })
      }
      try {
        const answer = await traced(`supplier ${operation === 'place' ? 'placeOrder' : 'cancelOrder'}`, {
          kind: SpanKind.CLIENT,
          onlyInTrace: true,
          attributes: { 'commerce.supplier.order': key, 'commerce.attempt': retry + 1 },
        }, () => attempt(ask))
        breaker.succeeded()
        count(operation, outcomeOf(answer))
        return answer
      } catch (error) {
        // anything else thrown is a bug of the adapter: the same treatment, outcome unknown
        failure = error instanceof SupplierUnreachableError ? error : new SupplierUnreachableError('the supplier adapter failed', { cause: error })
        count(operation, error instanceof SupplierTimeoutError ? 'timeout' : 'error')
        lastError = (failure as Error).message
        breaker.failed()
        if (retry >= options.retries || breaker.state() === 'open') {
          throw new SupplierUnavailableError((failure as Error).message, breaker.retryAfterMs() || openMs, { cause: error })
        }
      }
      await sleep(backoff(retry + 1))
    }
  }

  return {
    state: () => breaker.state(),
    attempts: () => counts,
    placeOrder: (order) =>
      call({
        operation: 'place',
        key: order.idempotencyKey,
        ask: (signal) => inner.placeOrder({ ...order, signal }),
        outcomeOf: (ack) => (ack.outcome === 'rejected' ? 'rejected' : 'accepted'),
      }),
    // a refusal is an answer, as a rejection is: never retried, and the supplier is up
    cancelOrder: (cancellation) =>
      call({
        operation: 'cancel',
        key: cancellation.idempotencyKey,
        ask: (signal) => inner.cancelOrder({ ...cancellation, signal }),
        outcomeOf: (answer) => answer.outcome,
      }),
  }
}
