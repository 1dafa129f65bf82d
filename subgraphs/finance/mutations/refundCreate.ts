import type { Database } from '../../../platform/db.ts'
import type { Viewer } from '../../../platform/viewer.ts'
import type { RefundCreateInput } from '../generated/resolvers.ts'
import { refundLines, refundTaxShare } from '../ledger.ts'
import type { FinanceUserErrorModel, RefundPayloadModel } from '../models.ts'
import { liveInvoiceOfOrder, syncInvoiceStatus } from '../store/invoiceStore.ts'
import { journalEntryIdOfSource, postJournalEntries } from '../store/journalStore.ts'
import { orderAccountsByIds } from '../store/orderAccountStore.ts'
import { addRefund, paymentsByOrderIds } from '../store/paymentStore.ts'
import { insertRefund } from '../store/refundStore.ts'
import { insertTransactions, latestTransactionId } from '../store/transactionStore.ts'
import { amountOf, newId, rejected, runMutation, userError } from './runMutation.ts'

const failed = (error: FinanceUserErrorModel): RefundPayloadModel => ({ refundId: null, userErrors: [error] })
const AMOUNT = ['input', 'amount', 'minorUnits']

/**
 * Refunds up to what was captured and not yet refunded: the refund, its REFUND transaction and a
 * reversing journal entry (DR revenue and DR tax payable in the invoice's proportion, CR cash)
 * that points at the invoice's entry. The ledger is never edited.
 */
export function refundCreate(db: Database, viewer: Viewer, input: RefundCreateInput): Promise<RefundPayloadModel> {
  return runMutation<RefundPayloadModel>(db, viewer, 'refundCreate', input, failed, async (tx) => {
    const amount = amountOf(input.amount.minorUnits)
    if (amount <= 0n) return rejected(failed(userError('INVALID_AMOUNT', AMOUNT, 'The amount to refund must be greater than zero')))
    const [account] = await orderAccountsByIds(tx, [input.orderId])
    if (!account) return rejected(failed(userError('NOT_FOUND', ['input', 'orderId'], `No order ${input.orderId}`)))
    if (account.currency !== input.amount.currency) {
      return rejected(failed(userError('CURRENCY_MISMATCH', ['input', 'amount', 'currency'], `The order is in ${account.currency}`)))
    }
    const payment = await addRefund(tx, account.orderId, amount)
    if (!payment) {
      const refundable = (await paymentsByOrderIds(tx, [account.orderId]))
        .map((p) => BigInt(p.captured) - BigInt(p.refunded))
        .reduce((max, r) => (r > max ? r : max), 0n)
      return rejected(failed(userError('AMOUNT_EXCEEDS_REFUNDABLE', AMOUNT, `At most ${refundable} can be refunded on this order`)))
    }
    const refund = await insertRefund(tx, {
      id: newId('ref'), orderId: account.orderId, paymentId: payment.id, customerId: account.customerId, returnId: input.returnId ?? null,
      currency: account.currency, amount, note: input.note ?? null,
    })
    await insertTransactions(tx, [{
      id: newId('txn'), paymentId: payment.id, refundId: refund.id, kind: 'REFUND', status: 'SUCCESS', amount, currency: account.currency,
      pspReference: newId('psp_refu'), parentTransactionId: await latestTransactionId(tx, payment.id, 'CAPTURE'),
      idempotencyKey: input.idempotencyKey, createdAt: null,
    }])
    const invoice = await liveInvoiceOfOrder(tx, account.orderId)
    const basis = invoice ?? account
    const refundedAfter = (await paymentsByOrderIds(tx, [account.orderId])).reduce((sum, p) => sum + BigInt(p.refunded), 0n)
    await postJournalEntries(tx, [{
      id: newId('je'), postedAt: null, sourceDocumentUri: `gid://finance/Refund/${refund.id}`,
      reversesEntryId: invoice ? await journalEntryIdOfSource(tx, `gid://finance/Invoice/${invoice.id}`) : null,
      lines: refundLines(amount, refundTaxShare(refundedAfter - amount, amount, BigInt(basis.total), BigInt(basis.taxTotal)), account.currency),
    }])
    await syncInvoiceStatus(tx, account.orderId)
    return { result: { refundId: refund.id, userErrors: [] }, store: true }
  })
}
