import type { EventAggregates } from '../../platform/outbox.ts'

/**
 * What finance publishes (aggregate `Payment`, id = payment id; subjects
 * `commerce.finance.Payment.<type>`). Orders moves the order on these. Public contract: add
 * fields, never rename. Amounts are minor units as decimal strings.
 */
export interface PaymentAuthorized {
  readonly orderId: string
  readonly paymentId: string
  readonly amount: string
  readonly currency: string
  readonly invoiceId: string
}

export interface PaymentDeclined {
  readonly orderId: string
  readonly paymentId: string
  /** Provider's decline code, e.g. `card_declined`, `unknown_token`. */
  readonly code: string
  /** Human-readable; orders shows it as the cancellation reason. */
  readonly reason: string
}

export interface PaymentCaptured {
  readonly orderId: string
  readonly paymentId: string
  readonly amount: string
  readonly currency: string
  readonly capturedTotal: string
}

export interface PaymentVoided {
  readonly orderId: string
  readonly paymentId: string
}

export interface RefundIssued {
  readonly orderId: string
  readonly paymentId: string
  readonly refundId: string
  readonly returnId: string | null
  readonly amount: string
  readonly currency: string
}

/** Finance's event map: type name → payload. Consumers import it as a type only. */
export interface FinanceEvents {
  PaymentAuthorized: PaymentAuthorized
  PaymentDeclined: PaymentDeclined
  PaymentCaptured: PaymentCaptured
  PaymentVoided: PaymentVoided
  RefundIssued: RefundIssued
}

/** The aggregate each event is about: every one is about its `Payment`. */
export const FINANCE_AGGREGATES: EventAggregates<FinanceEvents> = {
  PaymentAuthorized: 'Payment',
  PaymentDeclined: 'Payment',
  PaymentCaptured: 'Payment',
  PaymentVoided: 'Payment',
  RefundIssued: 'Payment',
}
