/**
 * What the mutations that move money at the PSP (capture, refund) share: their checks and the
 * PSP call run outside any transaction, and end either refused (a userError, nothing written) or
 * with what the transaction then records.
 */
import { requestHash } from '../../../platform/idempotency.ts'
import { viewerScope, type Viewer } from '../../../platform/viewer.ts'
import type { MoneyInput } from '../generated/resolvers.ts'
import { kit } from '../kit.ts'
import type { FinanceUserErrorModel } from '../models.ts'
import { ProviderTimeoutError, type ProviderResult } from '../provider/paymentProvider.ts'

/** Refused before the transaction, by our checks or by the PSP. */
export interface Refused {
  readonly kind: 'refused'
  readonly error: FinanceUserErrorModel
}

export const refused = (error: FinanceUserErrorModel): Refused => ({ kind: 'refused', error })

export const AMOUNT = ['input', 'amount', 'minorUnits']
export const CURRENCY = ['input', 'amount', 'currency']

/** The amount to move: Int64 strings arrive checked by the scalar; only the sign is left to check. */
export function amountToMove(amount: MoneyInput, what: 'capture' | 'refund'): bigint | Refused {
  const minorUnits = BigInt(amount.minorUnits)
  return minorUnits > 0n ? minorUnits : refused(kit.userError('INVALID_AMOUNT', AMOUNT, `The amount to ${what} must be greater than zero`))
}

/**
 * The PSP idempotency key of a mutation: the viewer's key plus a hash of the input. A retry of
 * the same request (after a timeout frees the key) reaches the PSP with the same key and learns
 * what happened; the same key with a corrected input is another PSP operation.
 */
export function providerKeyOf(operation: string, viewer: Viewer, input: { readonly idempotencyKey: string }): string {
  const { idempotencyKey, ...rest } = input
  return `${operation}:${viewerScope(viewer)}:${idempotencyKey}:${requestHash(operation, rest).slice(0, 16)}`
}

/**
 * Calls the PSP: its reference, or its refusal as GATEWAY_DECLINED and its silence as
 * GATEWAY_TIMEOUT on `field`. Both are userErrors: nothing is written, the key is freed, and
 * retrying the same request is safe because the PSP key is the same.
 */
export async function askProvider(
  call: () => Promise<ProviderResult>,
  field: readonly string[],
  what: string,
): Promise<{ readonly kind: 'answered'; readonly pspReference: string } | Refused> {
  try {
    const result = await call()
    if (result.outcome === 'success') return { kind: 'answered', pspReference: result.pspReference }
    return refused(kit.userError('GATEWAY_DECLINED', field, `The payment provider declined the ${what}: ${result.message} (${result.code})`))
  } catch (error) {
    if (!(error instanceof ProviderTimeoutError)) throw error
    const message = `The payment provider did not answer the ${what} in time; retry with the same idempotency key`
    return refused(kit.userError('GATEWAY_TIMEOUT', field, message))
  }
}
