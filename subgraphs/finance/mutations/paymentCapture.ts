import type { Database } from '../../../platform/db.ts'
import type { Viewer } from '../../../platform/viewer.ts'
import type { PaymentCaptureInput } from '../generated/resolvers.ts'
import { captureLines } from '../ledger.ts'
import type { FinanceUserErrorModel, PaymentPayloadModel } from '../models.ts'
import { syncInvoiceStatus } from '../store/invoiceStore.ts'
import { postJournalEntries } from '../store/journalStore.ts'
import { addCapture, paymentsByIds } from '../store/paymentStore.ts'
import { insertTransactions, latestTransactionId } from '../store/transactionStore.ts'
import { amountOf, newId, rejected, runMutation, userError } from './runMutation.ts'

const failed = (error: FinanceUserErrorModel): PaymentPayloadModel => ({ paymentId: null, userErrors: [error] })
const AMOUNT = ['input', 'amount', 'minorUnits']

/**
 * Captures up to what the payment authorized and has not captured: a CAPTURE transaction, the
 * cash-in entry (DR cash / CR receivable) and the invoice marked PAID once captures cover it.
 * The PSP call itself is not made here: there is no provider adapter yet, so a capture succeeds.
 */
export function paymentCapture(db: Database, viewer: Viewer, input: PaymentCaptureInput): Promise<PaymentPayloadModel> {
  return runMutation<PaymentPayloadModel>(db, viewer, 'paymentCapture', input, failed, async (tx) => {
    const amount = amountOf(input.amount.minorUnits)
    if (amount <= 0n) return rejected(failed(userError('INVALID_AMOUNT', AMOUNT, 'The amount to capture must be greater than zero')))
    const [payment] = await paymentsByIds(tx, [input.paymentId])
    if (!payment) return rejected(failed(userError('NOT_FOUND', ['input', 'paymentId'], `No payment ${input.paymentId}`)))
    if (payment.currency !== input.amount.currency) {
      return rejected(failed(userError('CURRENCY_MISMATCH', ['input', 'amount', 'currency'], `The payment is in ${payment.currency}`)))
    }
    const captured = await addCapture(tx, payment.id, amount)
    if (!captured) {
      const capturable = payment.voided ? 0n : BigInt(payment.authorized) - BigInt(payment.captured)
      return rejected(failed(userError('AMOUNT_EXCEEDS_CAPTURABLE', AMOUNT, `At most ${capturable} can be captured on this payment`)))
    }
    const transactionId = newId('txn')
    await insertTransactions(tx, [{
      id: transactionId, paymentId: payment.id, refundId: null, kind: 'CAPTURE', status: 'SUCCESS', amount, currency: payment.currency,
      pspReference: newId('psp_capt'), parentTransactionId: await latestTransactionId(tx, payment.id, 'AUTHORIZATION'),
      idempotencyKey: input.idempotencyKey, createdAt: null,
    }])
    await postJournalEntries(tx, [{
      id: newId('je'), postedAt: null, sourceDocumentUri: `gid://finance/PaymentTransaction/${transactionId}`, reversesEntryId: null,
      lines: captureLines(amount, payment.currency),
    }])
    await syncInvoiceStatus(tx, payment.orderId)
    return { result: { paymentId: payment.id, userErrors: [] }, store: true }
  })
}
