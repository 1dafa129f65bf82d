import { scalarResolvers } from '../../platform/scalars.ts'
import { DateScalar } from './dateScalar.ts'
import type { Resolvers } from './generated/resolvers.ts'
import { Invoice } from './resolvers/invoice.ts'
import { InvoiceLine } from './resolvers/invoiceLine.ts'
import { JournalEntry } from './resolvers/journalEntry.ts'
import { JournalLine } from './resolvers/journalLine.ts'
import { Mutation } from './resolvers/mutation.ts'
import { Order } from './resolvers/order.ts'
import { InvoicePayload, PaymentPayload, ReconciliationItemPayload, RefundPayload, SettlementImportPayload } from './resolvers/payloads.ts'
import { Payment } from './resolvers/payment.ts'
import { PaymentTransaction } from './resolvers/paymentTransaction.ts'
import { Query } from './resolvers/query.ts'
import { ReconciliationItem } from './resolvers/reconciliationItem.ts'
import { ReconciliationReport } from './resolvers/reconciliationReport.ts'
import { Refund } from './resolvers/refund.ts'
import { Settlement } from './resolvers/settlement.ts'

export const resolvers: Resolvers = {
  ...scalarResolvers,
  Date: DateScalar,
  Query,
  Mutation,
  Order,
  Payment,
  PaymentTransaction,
  Invoice,
  InvoiceLine,
  Refund,
  JournalEntry,
  JournalLine,
  Settlement,
  PaymentPayload,
  RefundPayload,
  InvoicePayload,
  ReconciliationItem,
  ReconciliationReport,
  SettlementImportPayload,
  ReconciliationItemPayload,
}
