import type { MutationContext } from '../../../platform/mutations.ts'
import type { InvoiceIssueInput } from '../generated/resolvers.ts'
import { newId } from '../ids.ts'
import { kit } from '../kit.ts'
import { invoiceLines } from '../ledger.ts'
import type { FinanceUserErrorModel, InvoicePayloadModel } from '../models.ts'
import { issueInvoiceForOrder, liveInvoiceOfOrder, syncInvoiceStatus } from '../store/invoiceStore.ts'
import { postJournalEntries } from '../store/journalStore.ts'
import { orderAccountsByIds } from '../store/orderAccountStore.ts'

const failed = (userErrors: readonly FinanceUserErrorModel[]): InvoicePayloadModel => ({ invoiceId: null, userErrors })
const ORDER = ['input', 'orderId']

/**
 * Issues the order's invoice from finance's copy of the order and posts the receivable (DR
 * receivable / CR revenue / CR tax payable). An order has one live invoice: when it already has
 * one, that invoice is the answer, with nothing written.
 */
export function invoiceIssue(ctx: MutationContext, input: InvoiceIssueInput): Promise<InvoicePayloadModel> {
  const { idempotencyKey, ...request } = input
  return kit.runMutation(ctx, { operation: 'invoiceIssue', idempotencyKey, input: request, failed }, async (tx) => {
    const [account] = await orderAccountsByIds(tx, [input.orderId])
    if (!account) return failed([kit.userError('NOT_FOUND', ORDER, `No order ${input.orderId}`)])
    const existing = await liveInvoiceOfOrder(tx, account.orderId)
    if (existing) return { invoiceId: existing.id, userErrors: [] }
    if (account.status === 'CANCELLED') return failed([kit.userError('ORDER_CANCELLED', ORDER, `Order ${account.orderId} is cancelled`)])
    const issued = await issueInvoiceForOrder(tx, account, newId('inv'))
    // lost a race with a concurrent issue: the winner's invoice is the order's invoice
    if (!issued) {
      const winner = await liveInvoiceOfOrder(tx, account.orderId)
      return { invoiceId: winner?.id ?? null, userErrors: [] }
    }
    await postJournalEntries(tx, [{
      id: newId('je'), postedAt: null, sourceDocumentUri: `gid://finance/Invoice/${issued.id}`, reversesEntryId: null,
      lines: invoiceLines(BigInt(issued.total), BigInt(issued.taxTotal), issued.currency),
    }])
    await syncInvoiceStatus(tx, account.orderId)
    return { invoiceId: issued.id, userErrors: [] }
  })
}
