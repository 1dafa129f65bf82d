/**
 * What the mutations that move money at the PSP (capture, refund) share: their checks and the
 * PSP call run outside any transaction, and end either refused (a userError, nothing written) or
 * with what the transaction then records.
 */
import type { Queryable } from '../../../platform/db.ts'
import { requestHash } from '../../../platform/idempotency.ts'
import type { MutationContext } from '../../../platform/mutations.ts'
import type { MutationPayload } from '../../../platform/userErrors.ts'
import { viewerScope, type Viewer } from '../../../platform/viewer.ts'
import type { MoneyInput } from '../generated/resolvers.ts'
import { kit } from '../kit.ts'
import type { FinanceUserErrorModel } from '../models.ts'
import { ProviderTimeoutError, ProviderUnavailableError, type PaymentProvider, type ProviderResult } from '../provider/paymentProvider.ts'

/** Refused before the transaction, by our checks or by the PSP. */
export interface Refused {
  readonly kind: 'refused'
  readonly error: FinanceUserErrorModel
}

export const refused = (error: FinanceUserErrorModel): Refused => ({ kind: 'refused', error })

const isRefused = <M>(outside: M | Refused): outside is Refused => (outside as Partial<Refused>).kind === 'refused'

export const AMOUNT = ['input', 'amount', 'minorUnits']
const CURRENCY = ['input', 'amount', 'currency']

export type PspContext = MutationContext & { readonly provider: PaymentProvider }

/** What a movement's own steps start from, the shared checks passed: the amount, its subject, its PSP key and its PSP call. */
interface Checked<S> {
  readonly amount: bigint
  readonly subject: S
  readonly providerKey: string
  readonly ask: (call: () => Promise<ProviderResult>) => Promise<{ readonly kind: 'answered'; readonly pspReference: string } | Refused>
}

/** A capture or a refund: what it moves money on (the payment, the order), its own checks and the PSP call, and what it records. */
interface Movement<P, S, M> {
  readonly operation: 'paymentCapture' | 'refundCreate'
  readonly what: 'capture' | 'refund'
  readonly failed: (userErrors: readonly FinanceUserErrorModel[]) => P
  /** the subject's noun in messages, its id and that id's field in the input, and its store lookup */
  readonly subject: {
    readonly noun: string
    readonly id: string
    readonly field: readonly string[]
    readonly load: (db: Queryable, ids: readonly string[]) => Promise<readonly S[]>
  }
  readonly outside: (checked: Checked<S>) => Promise<M | Refused>
  readonly inside: (tx: Queryable, moved: M) => Promise<P>
  /** Gives back what the PSP moved when the transaction refuses it. */
  readonly compensate?: (moved: M) => Promise<void>
}

/**
 * Runs a movement through the kit: a positive amount, an existing subject in the amount's
 * currency, then the movement's own steps; a refusal before the transaction becomes its payload.
 */
export function moveMoney<P extends MutationPayload, S extends { readonly currency: string }, M>(
  ctx: PspContext,
  input: { readonly idempotencyKey: string; readonly amount: MoneyInput },
  movement: Movement<P, S, M>,
): Promise<P> {
  const { operation, what, failed, subject } = movement
  const { idempotencyKey, ...request } = input
  return kit.runMutationSteps<P, M | Refused>(ctx, { operation, idempotencyKey, input: request, failed }, {
    outside: async () => {
      const amount = BigInt(input.amount.minorUnits)
      // Int64 strings arrive checked by the scalar; only the sign is left to check
      if (amount <= 0n) return refused(kit.userError('INVALID_AMOUNT', AMOUNT, `The amount to ${what} must be greater than zero`))
      const [found] = await subject.load(ctx.db, [subject.id])
      if (!found) return refused(kit.userError('NOT_FOUND', subject.field, `No ${subject.noun} ${subject.id}`))
      if (found.currency !== input.amount.currency) {
        return refused(kit.userError('CURRENCY_MISMATCH', CURRENCY, `The ${subject.noun} is in ${found.currency}`))
      }
      const providerKey = providerKeyOf(operation, ctx.viewer, input)
      return movement.outside({ amount, subject: found, providerKey, ask: (call) => askProvider(call, subject.field, what) })
    },
    inside: async (tx, outside) => (isRefused(outside) ? failed([outside.error]) : movement.inside(tx, outside)),
    compensate: async (outside) => {
      if (!isRefused(outside)) await movement.compensate?.(outside)
    },
  })
}

/**
 * The PSP idempotency key of a mutation: the viewer's key plus a hash of the input. A retry of
 * the same request (after a timeout frees the key) reaches the PSP with the same key and learns
 * what happened; the same key with a corrected input is another PSP operation.
 */
function providerKeyOf(operation: string, viewer: Viewer, input: { readonly idempotencyKey: string }): string {
  const { idempotencyKey, ...rest } = input
  return `${operation}:${viewerScope(viewer)}:${idempotencyKey}:${requestHash(operation, rest).slice(0, 16)}`
}

/**
 * Calls the PSP: its reference, or its refusal as GATEWAY_DECLINED, its silence as
 * GATEWAY_TIMEOUT and its outage (the breaker is open) as GATEWAY_UNAVAILABLE on `field`. All are
 * userErrors: nothing is written, the key is freed, and retrying the same request is safe because
 * the PSP key is the same.
 */
async function askProvider(
  call: () => Promise<ProviderResult>,
  field: readonly string[],
  what: string,
): Promise<{ readonly kind: 'answered'; readonly pspReference: string } | Refused> {
  try {
    const result = await call()
    if (result.outcome === 'success') return { kind: 'answered', pspReference: result.pspReference }
    return refused(kit.userError('GATEWAY_DECLINED', field, `The payment provider declined the ${what}: ${result.message} (${result.code})`))
  } catch (error) {
    if (error instanceof ProviderUnavailableError) {
      const seconds = Math.max(1, Math.ceil(error.retryAfterMs / 1000))
      const message = `The payment provider is unavailable; nothing was recorded for the ${what}: retry in ${seconds} s with the same idempotency key`
      return refused(kit.userError('GATEWAY_UNAVAILABLE', field, message))
    }
    if (!(error instanceof ProviderTimeoutError)) throw error
    const message = `The payment provider did not answer the ${what} in time; retry with the same idempotency key`
    return refused(kit.userError('GATEWAY_TIMEOUT', field, message))
  }
}
