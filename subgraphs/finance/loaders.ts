/**
 * One DataLoader per entity lookup and per list-of-children field, created once per request:
 * however many parents a response holds, each kind of lookup costs one statement.
 */
import type { Queryable } from '../../platform/db.ts'
import { childrenLoader, rowLoader } from '../../platform/loaders.ts'
import type { Viewer } from '../../platform/viewer.ts'
import { invoiceLinesByInvoiceIds, invoicesByIds, invoicesByOrderIds } from './store/invoiceStore.ts'
import { journalEntriesByIds, journalLinesByEntryIds } from './store/journalStore.ts'
import { orderAccountsByIds } from './store/orderAccountStore.ts'
import { paymentsByIds, paymentsByOrderIds } from './store/paymentStore.ts'
import { reconciliationItemsByIds } from './store/reconciliationStore.ts'
import { refundsByIds, refundsByOrderIds } from './store/refundStore.ts'
import { settlementsByIds } from './store/settlementStore.ts'
import { transactionsByIds, transactionsByPaymentIds, transactionsByRefundIds, unmatchedTransactionsBySettlementIds } from './store/transactionStore.ts'

export type Loaders = ReturnType<typeof createLoaders>

/**
 * The viewer is not used to filter here: loaders return what exists, and resolvers decide what
 * the viewer may see (so a row cached for one field is judged the same everywhere).
 */
export function createLoaders(db: Queryable, _viewer?: Viewer) {
  return {
    orderAccount: rowLoader((ids) => orderAccountsByIds(db, ids), (row) => row.orderId),
    payment: rowLoader((ids) => paymentsByIds(db, ids), (row) => row.id),
    invoice: rowLoader((ids) => invoicesByIds(db, ids), (row) => row.id),
    refund: rowLoader((ids) => refundsByIds(db, ids), (row) => row.id),
    journalEntry: rowLoader((ids) => journalEntriesByIds(db, ids), (row) => row.id),
    settlement: rowLoader((ids) => settlementsByIds(db, ids), (row) => row.id),
    transaction: rowLoader((ids) => transactionsByIds(db, ids), (row) => row.id),
    reconciliationItem: rowLoader((ids) => reconciliationItemsByIds(db, ids), (row) => row.id),
    paymentsOfOrder: childrenLoader((ids) => paymentsByOrderIds(db, ids), (row) => row.orderId),
    invoicesOfOrder: childrenLoader((ids) => invoicesByOrderIds(db, ids), (row) => row.orderId),
    refundsOfOrder: childrenLoader((ids) => refundsByOrderIds(db, ids), (row) => row.orderId),
    transactionsOfPayment: childrenLoader((ids) => transactionsByPaymentIds(db, ids), (row) => row.paymentId),
    transactionsOfRefund: childrenLoader((ids) => transactionsByRefundIds(db, ids), (row) => row.refundId ?? ''),
    linesOfInvoice: childrenLoader((ids) => invoiceLinesByInvoiceIds(db, ids), (row) => row.invoiceId),
    linesOfJournalEntry: childrenLoader((ids) => journalLinesByEntryIds(db, ids), (row) => row.entryId),
    unmatchedTransactionsOfSettlement: childrenLoader((ids) => unmatchedTransactionsBySettlementIds(db, ids), (row) => row.settlementId),
  }
}
