/**
 * One DataLoader per entity lookup and per list-of-children field, created once per request:
 * however many parents a response holds, each kind of lookup costs one statement.
 */
import DataLoader from 'dataloader'
import type { Queryable } from '../../platform/db.ts'
import type { Viewer } from '../../platform/viewer.ts'
import type {
  InvoiceLineRow, InvoiceRow, JournalEntryRow, JournalLineRow, OrderAccountRow, PaymentRow, RefundRow, SettlementRow, TransactionRow,
} from './models.ts'
import { invoiceLinesByInvoiceIds, invoicesByIds, invoicesByOrderIds } from './store/invoiceStore.ts'
import { journalEntriesByIds, journalLinesByEntryIds } from './store/journalStore.ts'
import { orderAccountsByIds } from './store/orderAccountStore.ts'
import { paymentsByIds, paymentsByOrderIds } from './store/paymentStore.ts'
import { refundsByIds, refundsByOrderIds } from './store/refundStore.ts'
import { settlementsByIds } from './store/settlementStore.ts'
import { transactionsByPaymentIds, transactionsByRefundIds, unmatchedTransactionsBySettlementIds } from './store/transactionStore.ts'

export interface Loaders {
  readonly orderAccount: DataLoader<string, OrderAccountRow | null>
  readonly payment: DataLoader<string, PaymentRow | null>
  readonly invoice: DataLoader<string, InvoiceRow | null>
  readonly refund: DataLoader<string, RefundRow | null>
  readonly journalEntry: DataLoader<string, JournalEntryRow | null>
  readonly settlement: DataLoader<string, SettlementRow | null>
  readonly paymentsOfOrder: DataLoader<string, PaymentRow[]>
  readonly invoicesOfOrder: DataLoader<string, InvoiceRow[]>
  readonly refundsOfOrder: DataLoader<string, RefundRow[]>
  readonly transactionsOfPayment: DataLoader<string, TransactionRow[]>
  readonly transactionsOfRefund: DataLoader<string, TransactionRow[]>
  readonly linesOfInvoice: DataLoader<string, InvoiceLineRow[]>
  readonly linesOfJournalEntry: DataLoader<string, JournalLineRow[]>
  readonly unmatchedTransactionsOfSettlement: DataLoader<string, TransactionRow[]>
}

/** A loader of one row per key (null when missing), from a batch fetch by keys. */
function byKey<R>(fetch: (keys: readonly string[]) => Promise<R[]>, keyOf: (row: R) => string): DataLoader<string, R | null> {
  return new DataLoader(async (keys) => {
    const rows = new Map((await fetch(keys)).map((row) => [keyOf(row), row]))
    return keys.map((key) => rows.get(key) ?? null)
  })
}

/** A loader of the children of each parent key (empty when none), in the order the fetch sorts them. */
function childrenOf<R>(fetch: (keys: readonly string[]) => Promise<R[]>, parentOf: (row: R) => string): DataLoader<string, R[]> {
  return new DataLoader(async (keys) => {
    const groups = new Map<string, R[]>()
    for (const row of await fetch(keys)) {
      const parent = parentOf(row)
      const group = groups.get(parent)
      if (group) group.push(row)
      else groups.set(parent, [row])
    }
    return keys.map((key) => groups.get(key) ?? [])
  })
}

/**
 * The viewer is not used to filter here: loaders return what exists, and resolvers decide what
 * the viewer may see (so a row cached for one field is judged the same everywhere).
 */
export function createLoaders(db: Queryable, _viewer?: Viewer): Loaders {
  return {
    orderAccount: byKey((ids) => orderAccountsByIds(db, ids), (row) => row.orderId),
    payment: byKey((ids) => paymentsByIds(db, ids), (row) => row.id),
    invoice: byKey((ids) => invoicesByIds(db, ids), (row) => row.id),
    refund: byKey((ids) => refundsByIds(db, ids), (row) => row.id),
    journalEntry: byKey((ids) => journalEntriesByIds(db, ids), (row) => row.id),
    settlement: byKey((ids) => settlementsByIds(db, ids), (row) => row.id),
    paymentsOfOrder: childrenOf((ids) => paymentsByOrderIds(db, ids), (row) => row.orderId),
    invoicesOfOrder: childrenOf((ids) => invoicesByOrderIds(db, ids), (row) => row.orderId),
    refundsOfOrder: childrenOf((ids) => refundsByOrderIds(db, ids), (row) => row.orderId),
    transactionsOfPayment: childrenOf((ids) => transactionsByPaymentIds(db, ids), (row) => row.paymentId),
    transactionsOfRefund: childrenOf((ids) => transactionsByRefundIds(db, ids), (row) => row.refundId ?? ''),
    linesOfInvoice: childrenOf((ids) => invoiceLinesByInvoiceIds(db, ids), (row) => row.invoiceId),
    linesOfJournalEntry: childrenOf((ids) => journalLinesByEntryIds(db, ids), (row) => row.entryId),
    unmatchedTransactionsOfSettlement: childrenOf((ids) => unmatchedTransactionsBySettlementIds(db, ids), (row) => row.settlementId),
  }
}
