import type { Database } from '../../../platform/db.ts'
import type { Viewer } from '../../../platform/viewer.ts'
import { publishFinanceEvent } from '../events.ts'
import type { RefundCreateInput } from '../generated/resolvers.ts'
import { refundLines, refundTaxShare } from '../ledger.ts'
import type { FinanceUserErrorModel, OrderAccountRow, PaymentRow, RefundPayloadModel } from '../models.ts'
import type { PaymentProvider } from '../provider/paymentProvider.ts'
import { liveInvoiceOfOrder, syncInvoiceStatus } from '../store/invoiceStore.ts'
import { journalEntryIdOfSource, postJournalEntries } from '../store/journalStore.ts'
import { orderAccountsByIds } from '../store/orderAccountStore.ts'
import { addRefund, paymentsByOrderIds, refundablePaymentOf } from '../store/paymentStore.ts'
import { insertRefund } from '../store/refundStore.ts'
import { authorizationsOfPayments, insertTransactions, latestTransactionId } from '../store/transactionStore.ts'
import { askProvider, providerKeyOf } from './askProvider.ts'
import { amountOf, newId, rejected, runMutationSteps, userError } from './runMutation.ts'

const failed = (error: FinanceUserErrorModel): RefundPayloadModel => ({ refundId: null, userErrors: [error] })
const AMOUNT = ['input', 'amount', 'minorUnits']
const ORDER = ['input', 'orderId']

type Outside =
  | { readonly kind: 'refused'; readonly error: FinanceUserErrorModel }
  | {
      readonly kind: 'refunded'
      readonly account: OrderAccountRow
      /** the payment the PSP refunded, as read before the call */
      readonly payment: PaymentRow
      readonly amount: bigint
      readonly pspReference: string
    }

const mostRefundable = (payments: readonly PaymentRow[]) =>
  payments.map((p) => BigInt(p.captured) - BigInt(p.refunded)).reduce((max, r) => (r > max ? r : max), 0n)

/**
 * Refunds up to what was captured and not yet refunded: first at the PSP (outside any
 * transaction), then the refund, its REFUND transaction, a reversing journal entry (DR revenue
 * and DR tax payable in the invoice's proportion, CR cash) that points at the invoice's entry,
 * and `RefundIssued`. The ledger is never edited. The checks run before the PSP is asked; the
 * conditional update re-checks, and a refund that loses a race there was refused by the PSP as
 * well (it holds the same captured - refunded), so there is nothing to give back.
 */
export function refundCreate(db: Database, provider: PaymentProvider, viewer: Viewer, input: RefundCreateInput): Promise<RefundPayloadModel> {
  return runMutationSteps<RefundPayloadModel, Outside>(db, viewer, 'refundCreate', input, failed, {
    outside: async () => {
      const refused = (error: FinanceUserErrorModel): Outside => ({ kind: 'refused', error })
      const amount = amountOf(input.amount.minorUnits)
      if (amount <= 0n) return refused(userError('INVALID_AMOUNT', AMOUNT, 'The amount to refund must be greater than zero'))
      const [account] = await orderAccountsByIds(db, [input.orderId])
      if (!account) return refused(userError('NOT_FOUND', ORDER, `No order ${input.orderId}`))
      if (account.currency !== input.amount.currency) {
        return refused(userError('CURRENCY_MISMATCH', ['input', 'amount', 'currency'], `The order is in ${account.currency}`))
      }
      const payments = await paymentsByOrderIds(db, [account.orderId])
      const payment = refundablePaymentOf(payments, amount)
      if (!payment) {
        return refused(userError('AMOUNT_EXCEEDS_REFUNDABLE', AMOUNT, `At most ${mostRefundable(payments)} can be refunded on this order`))
      }
      const [authorization] = await authorizationsOfPayments(db, [payment.id])
      const authorizationReference = authorization?.pspReference
      if (!authorizationReference) return refused(userError('AMOUNT_EXCEEDS_REFUNDABLE', AMOUNT, 'The payment has no authorization to refund'))
      const answer = await askProvider(
        () => provider.refund({ idempotencyKey: providerKeyOf('refundCreate', viewer, input), amount, currency: payment.currency, authorizationReference }),
        ORDER, 'refund',
      )
      if (!answer.ok) return refused(answer.error)
      return { kind: 'refunded', account, payment, amount, pspReference: answer.pspReference }
    },
    inside: async (tx, outside) => {
      if (outside.kind === 'refused') return rejected(failed(outside.error))
      const { account, amount } = outside
      const payment = await addRefund(tx, outside.payment.id, amount)
      if (!payment) {
        const refundable = mostRefundable(await paymentsByOrderIds(tx, [account.orderId]))
        return rejected(failed(userError('AMOUNT_EXCEEDS_REFUNDABLE', AMOUNT, `At most ${refundable} can be refunded on this order`)))
      }
      const refund = await insertRefund(tx, {
        id: newId('ref'), orderId: account.orderId, paymentId: payment.id, customerId: account.customerId, returnId: input.returnId ?? null,
        currency: account.currency, amount, note: input.note ?? null,
      })
      await insertTransactions(tx, [{
        id: newId('txn'), paymentId: payment.id, refundId: refund.id, kind: 'REFUND', status: 'SUCCESS', amount, currency: account.currency,
        pspReference: outside.pspReference, parentTransactionId: await latestTransactionId(tx, payment.id, 'CAPTURE'),
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
      await publishFinanceEvent(tx, {
        type: 'RefundIssued', aggregateId: payment.id,
        payload: {
          orderId: account.orderId, paymentId: payment.id, refundId: refund.id, returnId: refund.returnId, amount: amount.toString(),
          currency: account.currency,
        },
      })
      return { result: { refundId: refund.id, userErrors: [] }, store: true }
    },
  })
}
