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
 * The PSP did not answer in time: whether it acted is unknown. Retry with the SAME idempotency
 * key (never a new one) to learn the outcome without moving money twice.
 */
export class ProviderTimeoutError extends Error {
  override readonly name = 'ProviderTimeoutError'
  constructor(readonly operation: string, readonly idempotencyKey: string) {
    super(`The payment provider did not answer ${operation} (${idempotencyKey}) in time`)
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
