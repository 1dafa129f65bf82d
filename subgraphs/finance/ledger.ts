/**
 * The chart of accounts and the posting rules: which lines each business event writes to the
 * ledger. Pure functions; every entry they build balances per currency (the database checks it
 * again at commit).
 */
import type { LedgerDirection } from './models.ts'

export const ACCOUNTS = {
  CASH: '1000',
  ACCOUNTS_RECEIVABLE: '1100',
  TAX_PAYABLE: '2200',
  REVENUE: '4000',
  PAYMENT_FEES: '6100',
} as const

export interface JournalLineDraft {
  readonly accountCode: string
  readonly direction: LedgerDirection
  readonly amount: bigint
  readonly currency: string
}

const line = (accountCode: string, direction: LedgerDirection, amount: bigint, currency: string): JournalLineDraft[] =>
  // journal lines are strictly positive: a zero-tax order has no tax line at all
  amount > 0n ? [{ accountCode, direction, amount, currency }] : []

/** Issuing an invoice: the customer owes the total; revenue is the total net of tax. */
export function invoiceLines(total: bigint, taxTotal: bigint, currency: string): JournalLineDraft[] {
  return [
    ...line(ACCOUNTS.ACCOUNTS_RECEIVABLE, 'DEBIT', total, currency),
    ...line(ACCOUNTS.REVENUE, 'CREDIT', total - taxTotal, currency),
    ...line(ACCOUNTS.TAX_PAYABLE, 'CREDIT', taxTotal, currency),
  ]
}

/** Capturing a payment: cash comes in and settles the receivable. */
export function captureLines(amount: bigint, currency: string): JournalLineDraft[] {
  return [...line(ACCOUNTS.CASH, 'DEBIT', amount, currency), ...line(ACCOUNTS.ACCOUNTS_RECEIVABLE, 'CREDIT', amount, currency)]
}

/**
 * The tax share of a refund: the invoice's tax ratio applied to what the order has refunded in
 * all, less what earlier refunds already reversed. Rounding half away from zero in integer
 * arithmetic; cumulative, so partial refunds that add up to the total reverse exactly the tax
 * that was posted, never a unit more or less.
 */
export function refundTaxShare(refundedBefore: bigint, amount: bigint, invoiceTotal: bigint, invoiceTaxTotal: bigint): bigint {
  if (invoiceTotal <= 0n) return 0n
  const taxOf = (refunded: bigint) => (refunded * invoiceTaxTotal * 2n + invoiceTotal) / (2n * invoiceTotal)
  return taxOf(refundedBefore + amount) - taxOf(refundedBefore)
}

/** Refunding: reverses revenue and tax in proportion, and pays cash back. */
export function refundLines(amount: bigint, taxShare: bigint, currency: string): JournalLineDraft[] {
  return [
    ...line(ACCOUNTS.REVENUE, 'DEBIT', amount - taxShare, currency),
    ...line(ACCOUNTS.TAX_PAYABLE, 'DEBIT', taxShare, currency),
    ...line(ACCOUNTS.CASH, 'CREDIT', amount, currency),
  ]
}

/**
 * Undoing an entry without editing it: the same lines with debit and credit swapped, so the two
 * entries together net to zero on every account (a voided invoice reverses its receivable).
 */
export function reversalLines(lines: readonly JournalLineDraft[]): JournalLineDraft[] {
  return lines.map((l) => ({ ...l, direction: l.direction === 'DEBIT' ? 'CREDIT' : 'DEBIT' }))
}

/** A PSP payout: the PSP kept its fees out of the cash we recorded at capture. */
export function settlementFeeLines(fees: bigint, currency: string): JournalLineDraft[] {
  return [...line(ACCOUNTS.PAYMENT_FEES, 'DEBIT', fees, currency), ...line(ACCOUNTS.CASH, 'CREDIT', fees, currency)]
}
