import type { InvoicePayloadResolvers, PaymentPayloadResolvers, RefundPayloadResolvers } from '../generated/resolvers.ts'

// Three payloads of one shape in one file: each holds the id the idempotency store kept, and
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
