/**
 * The payment service provider (PSP) as finance sees it: what a Stripe or Adyen adapter
 * implements. Every call carries an idempotency key: the PSP answers a repeated key with the
 * first answer and moves no money twice, which is what makes a retry after a timeout safe.
 */

export interface ProviderRequest {
  /** Stable across retries of the same operation (e.g. `authorize:<orderId>`). */
  readonly idempotencyKey: string
  /** Minor units. */
  readonly amount: bigint
  readonly currency: string
  /**
   * Aborted when the caller stops waiting (the per-call timeout of resilientProvider.ts): an
   * adapter hands it to its HTTP client, so an abandoned request does not linger.
   */
  readonly signal?: AbortSignal
}

export interface AuthorizeRequest extends ProviderRequest {
  /** The single-use payment method reference the storefront got from the PSP. */
  readonly paymentMethodToken: string
}

/** A capture, refund or void of an earlier authorization. */
export interface FollowUpRequest extends ProviderRequest {
  /** The `pspReference` the authorization returned: the PSP's id of the payment. */
  readonly authorizationReference: string
}

export type ProviderResult =
  | { readonly outcome: 'success'; readonly pspReference: string }
  /** An answer, not a failure: the PSP refused (card declined, insufficient funds, ...). */
  | { readonly outcome: 'declined'; readonly code: string; readonly message: string; readonly pspReference: string | null }

/**
 * The PSP did not answer in time (or, with a `cause`, at all: the connection failed): whether it
 * acted is unknown. Retry with the SAME idempotency key (never a new one) to learn the outcome
 * without moving money twice.
 */
export class ProviderTimeoutError extends Error {
  override readonly name = 'ProviderTimeoutError'
  constructor(readonly operation: string, readonly idempotencyKey: string, options?: { readonly cause?: unknown }) {
    const why = options?.cause instanceof Error ? `: ${options.cause.message}` : ' in time'
    super(`The payment provider did not answer ${operation} (${idempotencyKey})${why}`, options)
  }
}

/**
 * The PSP is taken as down (its circuit breaker is open): the call failed at once, or its last
 * attempt failed and opened the breaker. Retry with the SAME idempotency key after
 * `retryAfterMs`: the retry learns what an unanswered attempt did, without moving money twice.
 */
export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError'
  constructor(readonly operation: string, readonly retryAfterMs: number, options?: { readonly cause?: unknown }) {
    super(`The payment provider is unavailable for ${operation}; retry in ${Math.ceil(retryAfterMs / 1000)} s`, options)
  }
}

export interface PaymentProvider {
  /** Recorded as the payment's `gateway`. */
  readonly name: string
  authorize(request: AuthorizeRequest): Promise<ProviderResult>
  capture(request: FollowUpRequest): Promise<ProviderResult>
  refund(request: FollowUpRequest): Promise<ProviderResult>
  void(request: FollowUpRequest): Promise<ProviderResult>
}
