import { createHash } from 'node:crypto'
import { ProviderTimeoutError, type AuthorizeRequest, type FollowUpRequest, type PaymentProvider, type ProviderResult } from './paymentProvider.ts'

/** Test card tokens of the built-in provider, like a PSP's test mode. */
export const TEST_TOKENS = {
  OK: 'tok_ok',
  DECLINED: 'tok_declined',
  /** Times out on the first attempt of an idempotency key, authorizes on its retry. */
  TIMEOUT: 'tok_timeout',
} as const

const AUTHORIZATION_PREFIX = 'psp_auth_'

/**
 * The built-in, deterministic provider used when no real PSP is configured (embedded mode, demo,
 * tests). Its references derive from the idempotency key, so a retried call answers exactly what
 * the first did, as a real PSP's idempotency does. It recognizes the payments it authorized by
 * their reference (`psp_auth_...`, also what the demo store's payments carry), so captures,
 * refunds and voids keep working across restarts; any other reference is not its payment.
 */
export function createSimulatedProvider(): PaymentProvider {
  // per idempotency key, how often authorize was called: tok_timeout times out only on the first
  const attempts = new Map<string, number>()
  const reference = (prefix: string, key: string) => `${prefix}${createHash('sha256').update(key).digest('hex').slice(0, 24)}`

  const followUp = (prefix: string) => async (request: FollowUpRequest): Promise<ProviderResult> => {
    if (!request.authorizationReference.startsWith(AUTHORIZATION_PREFIX)) {
      return { outcome: 'declined', code: 'unknown_payment', message: `No payment ${request.authorizationReference} at this provider`, pspReference: null }
    }
    return { outcome: 'success', pspReference: reference(prefix, request.idempotencyKey) }
  }

  return {
    name: 'simulated',
    async authorize(request: AuthorizeRequest): Promise<ProviderResult> {
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
  }
}
