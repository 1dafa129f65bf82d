import type { PaymentCaptureInput } from '../generated/resolvers.ts'
import { newId } from '../ids.ts'
import { kit } from '../kit.ts'
import { captureLines } from '../ledger.ts'
import type { FinanceUserErrorModel, PaymentPayloadModel, PaymentRow } from '../models.ts'
import { syncInvoiceStatus } from '../store/invoiceStore.ts'
import { postJournalEntries } from '../store/journalStore.ts'
import { addCapture, paymentsByIds } from '../store/paymentStore.ts'
import { authorizationsOfPayments, insertTransactions } from '../store/transactionStore.ts'
import { AMOUNT, moveMoney, refused, type PspContext } from './moneyMovement.ts'

const failed = (userErrors: readonly FinanceUserErrorModel[]): PaymentPayloadModel => ({ paymentId: null, userErrors })
const PAYMENT = ['input', 'paymentId']

/** Captured at the PSP, for the transaction to record. */
interface Captured {
  readonly payment: PaymentRow
  readonly amount: bigint
  /** the AUTHORIZATION transaction (the capture's parent) and the PSP's reference of it */
  readonly authorization: { readonly id: string; readonly pspReference: string }
  /** the PSP's reference of this capture */
  readonly pspReference: string
  readonly providerKey: string
}

const capturableOf = (payment: PaymentRow) => (payment.voided ? 0n : BigInt(payment.authorized) - BigInt(payment.captured))

/**
 * Captures up to what the payment authorized and has not captured: first at the PSP (outside
 * any transaction), then a CAPTURE transaction, the cash-in entry (DR cash / CR receivable), the
 * invoice marked PAID once captures cover it, and `PaymentCaptured`. The checks run before the
 * PSP is asked, so a capture we would refuse never reaches it; the conditional update re-checks
 * in the transaction, and a capture that loses a race there is given back at the PSP.
 */
export function paymentCapture(ctx: PspContext, input: PaymentCaptureInput): Promise<PaymentPayloadModel> {
  const { db, provider } = ctx
  return moveMoney<PaymentPayloadModel, PaymentRow, Captured>(ctx, input, {
    operation: 'paymentCapture', what: 'capture', failed, subject: { noun: 'payment', id: input.paymentId, field: PAYMENT, load: paymentsByIds },
    outside: async ({ amount, subject: payment, providerKey, ask }) => {
      const capturable = capturableOf(payment)
      if (amount > capturable) {
        return refused(kit.userError('AMOUNT_EXCEEDS_CAPTURABLE', AMOUNT, `At most ${capturable} can be captured on this payment`))
      }
      const [found] = await authorizationsOfPayments(db, [payment.id])
      if (!found?.pspReference) return refused(kit.userError('AMOUNT_EXCEEDS_CAPTURABLE', AMOUNT, 'The payment has no authorization to capture from'))
      const authorization = { id: found.id, pspReference: found.pspReference }
      const answer = await ask(() =>
        provider.capture({ idempotencyKey: providerKey, amount, currency: payment.currency, authorizationReference: authorization.pspReference }),
      )
      if (answer.kind === 'refused') return answer
      return { payment, amount, authorization, pspReference: answer.pspReference, providerKey }
    },
    inside: async (tx, outside) => {
      const { amount } = outside
      const captured = await addCapture(tx, outside.payment.id, amount)
      if (!captured) {
        const [now] = await paymentsByIds(tx, [outside.payment.id])
        const capturable = now ? capturableOf(now) : 0n
        return failed([kit.userError('AMOUNT_EXCEEDS_CAPTURABLE', AMOUNT, `At most ${capturable} can be captured on this payment`)])
      }
      const transactionId = newId('txn')
      await insertTransactions(tx, [{
        id: transactionId, paymentId: captured.id, refundId: null, kind: 'CAPTURE', status: 'SUCCESS', amount, currency: captured.currency,
        pspReference: outside.pspReference, parentTransactionId: outside.authorization.id, idempotencyKey: input.idempotencyKey,
        createdAt: null,
      }])
      await postJournalEntries(tx, [{
        id: newId('je'), postedAt: null, sourceDocumentUri: `gid://finance/PaymentTransaction/${transactionId}`, reversesEntryId: null,
        lines: captureLines(amount, captured.currency),
      }])
      await syncInvoiceStatus(tx, captured.orderId)
      await kit.publish(tx, {
        type: 'PaymentCaptured', aggregateId: captured.id,
        payload: { orderId: captured.orderId, paymentId: captured.id, amount: amount.toString(), currency: captured.currency, capturedTotal: captured.captured },
      })
      return { paymentId: captured.id, userErrors: [] }
    },
    // the PSP took money our books refused (a concurrent capture won the race): give it back
    compensate: async (outside) => {
      const result = await provider.refund({
        idempotencyKey: `compensate:${outside.providerKey}`, amount: outside.amount, currency: outside.payment.currency,
        authorizationReference: outside.authorization.pspReference,
      })
      if (result.outcome === 'declined') throw new Error(`the provider refused to give back capture ${outside.pspReference}: ${result.code}`)
    },
  })
}
