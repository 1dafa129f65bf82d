/**
 * An order's money state, derived from its payments (never stored, so it cannot drift).
 */
import type { PaymentRow } from './models.ts'

export type FinancialStatus = 'PENDING' | 'AUTHORIZED' | 'PARTIALLY_PAID' | 'PAID' | 'PARTIALLY_REFUNDED' | 'REFUNDED' | 'VOIDED'

interface Totals {
  readonly authorized: bigint
  readonly captured: bigint
  readonly refunded: bigint
}

function totalsOf(payments: readonly PaymentRow[]): Totals {
  let authorized = 0n
  let captured = 0n
  let refunded = 0n
  for (const payment of payments) {
    // a void releases what was authorized and not captured
    if (!payment.voided) authorized += BigInt(payment.authorized)
    captured += BigInt(payment.captured)
    refunded += BigInt(payment.refunded)
  }
  return { authorized, captured, refunded }
}

/**
 * PENDING: no payment yet. VOIDED: every payment was voided before any capture. AUTHORIZED: money
 * held, none taken. Then by what was captured against the order total, and refunds last: a
 * refunded order is REFUNDED when everything captured went back.
 */
export function financialStatusOf(orderTotal: bigint, payments: readonly PaymentRow[]): FinancialStatus {
  if (payments.length === 0) return 'PENDING'
  const { authorized, captured, refunded } = totalsOf(payments)
  if (captured === 0n) {
    if (payments.every((payment) => payment.voided)) return 'VOIDED'
    return authorized > 0n ? 'AUTHORIZED' : 'PENDING'
  }
  if (refunded > 0n) return refunded >= captured ? 'REFUNDED' : 'PARTIALLY_REFUNDED'
  return captured >= orderTotal ? 'PAID' : 'PARTIALLY_PAID'
}

/**
 * What the customer still owes: the order total less what was captured, never below zero.
 * Refunds do not reopen a balance: money goes back for returned goods or as a concession, which
 * the customer does not owe again. A cancelled or voided order owes nothing: the sale did not
 * happen.
 */
export function balanceDueOf(orderTotal: bigint, payments: readonly PaymentRow[], cancelled: boolean): bigint {
  if (cancelled || financialStatusOf(orderTotal, payments) === 'VOIDED') return 0n
  const due = orderTotal - totalsOf(payments).captured
  return due > 0n ? due : 0n
}
