import { requestHash } from '../../../platform/idempotency.ts'
import { viewerScope, type Viewer } from '../../../platform/viewer.ts'
import type { FinanceUserErrorModel } from '../models.ts'
import { ProviderTimeoutError, type ProviderResult } from '../provider/paymentProvider.ts'
import { userError } from './runMutation.ts'

/** What the PSP answered, as a mutation sees it: a reference, or the userError to return. */
export type ProviderAnswer =
  | { readonly ok: true; readonly pspReference: string }
  | { readonly ok: false; readonly error: FinanceUserErrorModel }

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
 * Calls the PSP and maps its refusal to GATEWAY_DECLINED and its silence to GATEWAY_TIMEOUT on
 * `field`. Both are userErrors: nothing is written, the key is freed, and retrying the same
 * request is safe because the PSP key is the same.
 */
export async function askProvider(call: () => Promise<ProviderResult>, field: readonly string[], what: string): Promise<ProviderAnswer> {
  try {
    const result = await call()
    if (result.outcome === 'success') return { ok: true, pspReference: result.pspReference }
    return { ok: false, error: userError('GATEWAY_DECLINED', field, `The payment provider declined the ${what}: ${result.message} (${result.code})`) }
  } catch (error) {
    if (!(error instanceof ProviderTimeoutError)) throw error
    return {
      ok: false,
      error: userError('GATEWAY_TIMEOUT', field, `The payment provider did not answer the ${what} in time; retry with the same idempotency key`),
    }
  }
}
