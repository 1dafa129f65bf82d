import type { Database } from '../../../platform/db.ts'
import type { Viewer } from '../../../platform/viewer.ts'
import type { InvoiceIssueInput } from '../generated/resolvers.ts'
import { invoiceLines } from '../ledger.ts'
import type { FinanceUserErrorModel, InvoicePayloadModel } from '../models.ts'
import { issueInvoiceForOrder, liveInvoiceOfOrder, syncInvoiceStatus } from '../store/invoiceStore.ts'
import { postJournalEntries } from '../store/journalStore.ts'
import { orderAccountsByIds } from '../store/orderAccountStore.ts'
import { newId, rejected, runMutation, userError } from './runMutation.ts'

const failed = (error: FinanceUserErrorModel): InvoicePayloadModel => ({ invoiceId: null, userErrors: [error] })

/**
 * Issues the order's invoice from finance's copy of the order and posts the receivable (DR
 * receivable / CR revenue / CR tax payable). An order has one live invoice: when it already has
 * one, that invoice is the answer, with nothing written.
 */
export function invoiceIssue(db: Database, viewer: Viewer, input: InvoiceIssueInput): Promise<InvoicePayloadModel> {
  return runMutation<InvoicePayloadModel>(db, viewer, 'invoiceIssue', input, failed, async (tx) => {
    const [account] = await orderAccountsByIds(tx, [input.orderId])
    if (!account) return rejected(failed(userError('NOT_FOUND', ['input', 'orderId'], `No order ${input.orderId}`)))
    const existing = await liveInvoiceOfOrder(tx, account.orderId)
    if (existing) return { result: { invoiceId: existing.id, userErrors: [] }, store: true }
    if (account.status === 'CANCELLED') {
      return rejected(failed(userError('ORDER_CANCELLED', ['input', 'orderId'], `Order ${account.orderId} is cancelled`)))
    }
    const issued = await issueInvoiceForOrder(tx, account, newId('inv'))
    // lost a race with a concurrent issue: the winner's invoice is the order's invoice
    if (!issued) {
      const winner = await liveInvoiceOfOrder(tx, account.orderId)
      return { result: { invoiceId: winner?.id ?? null, userErrors: [] }, store: true }
    }
    await postJournalEntries(tx, [{
      id: newId('je'), postedAt: null, sourceDocumentUri: `gid://finance/Invoice/${issued.id}`, reversesEntryId: null,
      lines: invoiceLines(BigInt(issued.total), BigInt(issued.taxTotal), issued.currency),
    }])
    await syncInvoiceStatus(tx, account.orderId)
    return { result: { invoiceId: issued.id, userErrors: [] }, store: true }
  })
}
