import { createHash } from 'node:crypto'
import { ProviderTimeoutError, type AuthorizeRequest, type FollowUpRequest, type PaymentProvider, type ProviderRequest, type ProviderResult } from './paymentProvider.ts'

/** Test card tokens of the built-in provider, like a PSP's test mode. */
export const TEST_TOKENS = {
  OK: 'tok_ok',
  DECLINED: 'tok_declined',
  /** Times out on the first attempt of an idempotency key, authorizes on its retry. */
  TIMEOUT: 'tok_timeout',
} as const

const AUTHORIZATION_PREFIX = 'psp_auth_'

/** How long a fault lasts: the next `calls` calls, or `forMs` milliseconds; until `recover()` when neither is given. */
export interface FaultSpan {
  readonly calls?: number
  readonly forMs?: number
}

/**
 * Outages on demand, for tests and demos: the provider stops answering or fails until the span
 * ends or `recover()` is called. A faulted call never reaches the test tokens' logic.
 */
export interface ProviderFaults {
  /** Calls wait unanswered until `recover()` (or until their request's signal aborts): a hung PSP. */
  stall(span?: FaultSpan): void
  /** Calls throw a connection error at once: an unreachable PSP. */
  fail(span?: FaultSpan): void
  /** Ends the fault; stalled calls go on and are answered. */
  recover(): void
  /** Calls that reached the provider so far, every operation, faulted ones included. */
  readonly calls: number
}

export interface SimulatedProvider extends PaymentProvider {
  readonly faults: ProviderFaults
}

interface Fault {
  readonly kind: 'stall' | 'fail'
  /** Faulted calls left, or null: until recovered. */
  callsLeft: number | null
}

/** What a client library throws when the PSP's host refuses the connection. */
function connectionRefused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED: the simulated payment provider is down'), { code: 'ECONNREFUSED' })
}

/**
 * The built-in, deterministic provider used when no real PSP is configured (embedded mode, demo,
 * tests). Its references derive from the idempotency key, so a retried call answers exactly what
 * the first did, as a real PSP's idempotency does. It recognizes the payments it authorized by
 * their reference (`psp_auth_...`, also what the demo store's payments carry), so captures,
 * refunds and voids keep working across restarts; any other reference is not its payment.
 * `faults` simulates an outage.
 */
export function createSimulatedProvider(): SimulatedProvider {
  // per idempotency key, how often authorize was called: tok_timeout times out only on the first
  const attempts = new Map<string, number>()
  const reference = (prefix: string, key: string) => `${prefix}${createHash('sha256').update(key).digest('hex').slice(0, 24)}`

  let calls = 0
  let fault: Fault | null = null
  let timer: NodeJS.Timeout | null = null
  const stalled = new Set<() => void>()

  const recover = () => {
    fault = null
    if (timer) clearTimeout(timer)
    timer = null
    for (const release of stalled) release()
    stalled.clear()
  }
  const start = (kind: Fault['kind'], span: FaultSpan = {}) => {
    recover()
    fault = { kind, callsLeft: span.calls ?? null }
    // unref: a demo's fault must not keep a process alive that is otherwise done
    if (span.forMs !== undefined) timer = setTimeout(recover, span.forMs).unref()
  }
  const stallUntilRecovered = (signal: AbortSignal | undefined) =>
    new Promise<void>((resolve, reject) => {
      const release = () => {
        signal?.removeEventListener('abort', abandon)
        resolve()
      }
      const abandon = () => {
        stalled.delete(release)
        reject(signal?.reason ?? new Error('the call was abandoned'))
      }
      stalled.add(release)
      signal?.addEventListener('abort', abandon, { once: true })
    })

  /** Every call passes here first: counted, then failed or stalled while a fault lasts. */
  const reach = async (request: ProviderRequest): Promise<void> => {
    calls++
    const current = fault
    if (!current) return
    if (current.callsLeft !== null && --current.callsLeft <= 0) fault = null
    if (current.kind === 'fail') throw connectionRefused()
    await stallUntilRecovered(request.signal)
  }

  const followUp = (prefix: string) => async (request: FollowUpRequest): Promise<ProviderResult> => {
    await reach(request)
    if (!request.authorizationReference.startsWith(AUTHORIZATION_PREFIX)) {
      return { outcome: 'declined', code: 'unknown_payment', message: `No payment ${request.authorizationReference} at this provider`, pspReference: null }
    }
    return { outcome: 'success', pspReference: reference(prefix, request.idempotencyKey) }
  }

  return {
    name: 'simulated',
    async authorize(request: AuthorizeRequest): Promise<ProviderResult> {
      await reach(request)
      const attempt = (attempts.get(request.idempotencyKey) ?? 0) + 1
      attempts.set(request.idempotencyKey, attempt)
      switch (request.paymentMethodToken) {
        case TEST_TOKENS.OK:
          return { outcome: 'success', pspReference: reference(AUTHORIZATION_PREFIX, request.idempotencyKey) }
        case TEST_TOKENS.DECLINED:
          return { outcome: 'declined', code: 'card_declined', message: 'The card was declined', pspReference: reference('psp_decl_', request.idempotencyKey) }
        case TEST_TOKENS.TIMEOUT:
          if (attempt === 1) throw new ProviderTimeoutError('authorize', request.idempotencyKey)
          return { outcome: 'success', pspReference: reference(AUTHORIZATION_PREFIX, request.idempotencyKey) }
        default:
          return { outcome: 'declined', code: 'unknown_token', message: 'The payment method token is not known to the provider', pspReference: null }
      }
    },
    capture: followUp('psp_capt_'),
    refund: followUp('psp_refu_'),
    void: followUp('psp_void_'),
    faults: {
      stall: (span) => start('stall', span),
      fail: (span) => start('fail', span),
      recover,
      get calls() {
        return calls
      },
    },
  }
}
