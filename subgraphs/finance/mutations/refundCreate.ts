import type { RefundCreateInput } from '../generated/resolvers.ts'
import { newId } from '../ids.ts'
import { kit } from '../kit.ts'
import { refundLines, refundTaxShare } from '../ledger.ts'
import type { FinanceUserErrorModel, OrderAccountRow, PaymentRow, RefundPayloadModel } from '../models.ts'
import { liveInvoiceOfOrder, syncInvoiceStatus } from '../store/invoiceStore.ts'
import { journalEntryIdOfSource, postJournalEntries } from '../store/journalStore.ts'
import { orderAccountsByIds } from '../store/orderAccountStore.ts'
import { addRefund, paymentsByOrderIds, refundablePaymentOf } from '../store/paymentStore.ts'
import { insertRefund } from '../store/refundStore.ts'
import { authorizationsOfPayments, insertTransactions, latestTransactionId } from '../store/transactionStore.ts'
import { AMOUNT, moveMoney, refused, type PspContext } from './moneyMovement.ts'

const failed = (userErrors: readonly FinanceUserErrorModel[]): RefundPayloadModel => ({ refundId: null, userErrors })
const ORDER = ['input', 'orderId']

/** Refunded at the PSP, for the transaction to record. */
interface Refunded {
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
export function refundCreate(ctx: PspContext, input: RefundCreateInput): Promise<RefundPayloadModel> {
  const { db, provider } = ctx
  return moveMoney<RefundPayloadModel, OrderAccountRow, Refunded>(ctx, input, {
    operation: 'refundCreate', what: 'refund', failed, subject: { noun: 'order', id: input.orderId, field: ORDER, load: orderAccountsByIds },
    outside: async ({ amount, subject: account, providerKey, ask }) => {
      const payments = await paymentsByOrderIds(db, [account.orderId])
      const payment = refundablePaymentOf(payments, amount)
      if (!payment) {
        return refused(kit.userError('AMOUNT_EXCEEDS_REFUNDABLE', AMOUNT, `At most ${mostRefundable(payments)} can be refunded on this order`))
      }
      const [authorization] = await authorizationsOfPayments(db, [payment.id])
      const authorizationReference = authorization?.pspReference
      if (!authorizationReference) return refused(kit.userError('AMOUNT_EXCEEDS_REFUNDABLE', AMOUNT, 'The payment has no authorization to refund'))
      const answer = await ask(() => provider.refund({ idempotencyKey: providerKey, amount, currency: payment.currency, authorizationReference }))
      if (answer.kind === 'refused') return answer
      return { account, payment, amount, pspReference: answer.pspReference }
    },
    inside: async (tx, outside) => {
      const { account, amount } = outside
      const payment = await addRefund(tx, outside.payment.id, amount)
      if (!payment) {
        const refundable = mostRefundable(await paymentsByOrderIds(tx, [account.orderId]))
        return failed([kit.userError('AMOUNT_EXCEEDS_REFUNDABLE', AMOUNT, `At most ${refundable} can be refunded on this order`)])
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
      await kit.publish(tx, {
        type: 'RefundIssued', aggregateId: payment.id,
        payload: {
          orderId: account.orderId, paymentId: payment.id, refundId: refund.id, returnId: refund.returnId, amount: amount.toString(),
          currency: account.currency,
        },
      })
      return { refundId: refund.id, userErrors: [] }
    },
  })
}
