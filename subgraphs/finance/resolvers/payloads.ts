import type {
  InvoicePayloadResolvers, PaymentPayloadResolvers, ReconciliationItemPayloadResolvers, RefundPayloadResolvers, SettlementImportPayloadResolvers,
} from '../generated/resolvers.ts'
import { reconciliationItemsOfFile, settlementIdsOfFile } from '../store/reconciliationStore.ts'

// The payloads in one file: each holds the id the idempotency store kept, and
// loads the record's current state (a replay shows the payment as it is now, not as it was).

export const PaymentPayload: PaymentPayloadResolvers = {
  payment: (payload, _args, { loaders }) => (payload.paymentId ? loaders.payment.load(payload.paymentId) : null),
}

export const RefundPayload: RefundPayloadResolvers = {
  refund: (payload, _args, { loaders }) => (payload.refundId ? loaders.refund.load(payload.refundId) : null),
}

export const InvoicePayload: InvoicePayloadResolvers = {
  invoice: (payload, _args, { loaders }) => (payload.invoiceId ? loaders.invoice.load(payload.invoiceId) : null),
}

export const ReconciliationItemPayload: ReconciliationItemPayloadResolvers = {
  item: (payload, _args, { loaders }) => (payload.itemId ? loaders.reconciliationItem.load(payload.itemId) : null),
}

/** The file's payouts and items as they are now: a replay shows items resolved since. */
export const SettlementImportPayload: SettlementImportPayloadResolvers = {
  settlements: async (payload, _args, { db, loaders }) => {
    if (!payload.fileId) return []
    const rows = await loaders.settlement.loadMany(await settlementIdsOfFile(db, payload.fileId))
    return rows.flatMap((row) => (row && !(row instanceof Error) ? [row] : []))
  },
  items: (payload, _args, { db }) => (payload.fileId ? reconciliationItemsOfFile(db, payload.fileId) : []),
}
