/**
 * Row models: what the store returns and what resolvers receive as parents. Amounts are minor
 * units as decimal strings (int8 comes back from the drivers as a string); resolvers wrap them in
 * Money with the row's currency.
 */
import type { Money } from '../../platform/money.ts'
import type { UserError } from '../../platform/userErrors.ts'
import type { FinanceErrorCode } from './generated/resolvers.ts'
import type { AccountTotalRow, PeriodTotals } from './store/reconciliationStore.ts'

export type OrderStatus = 'OPEN' | 'CANCELLED' | 'CLOSED'

/** Finance's copy of an order (filled from OrderPlaced; seeded from the demo store). */
export interface OrderAccountRow {
  readonly orderId: string
  readonly customerId: string
  readonly currency: string
  readonly subtotal: string
  readonly taxTotal: string
  readonly total: string
  readonly status: OrderStatus
  readonly placedAt: Date
}

/**
 * The orders-owned Order as finance sees it: its key, plus `total` when the gateway supplies it
 * for `balanceDue` (@requires).
 */
export interface OrderModel {
  readonly id: string
  readonly total?: { readonly minorUnits: string | number | bigint; readonly currency: string; readonly fractionDigits?: number } | null
}

export interface PaymentRow {
  readonly id: string
  readonly orderId: string
  readonly customerId: string
  readonly gateway: string
  readonly currency: string
  readonly authorized: string
  readonly captured: string
  readonly refunded: string
  readonly voided: boolean
}

export type TransactionKind = 'AUTHORIZATION' | 'CAPTURE' | 'SALE' | 'VOID' | 'REFUND' | 'CHARGEBACK'
export type TransactionStatus = 'PENDING' | 'SUCCESS' | 'FAILURE'

export interface TransactionRow {
  readonly id: string
  readonly paymentId: string
  readonly refundId: string | null
  readonly kind: TransactionKind
  readonly status: TransactionStatus
  readonly amount: string
  readonly currency: string
  readonly pspReference: string | null
  readonly parentTransactionId: string | null
  readonly idempotencyKey: string | null
  readonly createdAt: Date
}

export type InvoiceStatus = 'DRAFT' | 'ISSUED' | 'PAID' | 'VOID' | 'CREDITED'

export interface InvoiceRow {
  readonly id: string
  readonly number: string
  readonly orderId: string
  readonly customerId: string
  readonly status: InvoiceStatus
  readonly issuedAt: Date | null
  readonly currency: string
  readonly subtotal: string
  readonly taxTotal: string
  readonly total: string
}

/** A tax line as stored in jsonb: amount in minor units as a string. */
export interface StoredTaxLine {
  readonly title: string
  readonly rate: string
  readonly amount: string
}

export interface InvoiceLineRow {
  readonly invoiceId: string
  readonly position: number
  readonly lineItemId: string | null
  readonly description: string
  readonly quantity: number
  readonly unitPrice: string
  readonly taxLines: readonly StoredTaxLine[]
  readonly total: string
  readonly currency: string
}

export interface TaxLineModel {
  readonly title: string
  readonly rate: string
  readonly amount: Money
}

export interface RefundRow {
  readonly id: string
  readonly orderId: string
  readonly paymentId: string
  readonly customerId: string
  readonly returnId: string | null
  readonly currency: string
  readonly amount: string
  readonly note: string | null
  readonly createdAt: Date
}

export interface TaxRateRow {
  readonly countryCode: string
  readonly title: string
  /** decimal string, e.g. '0.0825' */
  readonly rate: string
  readonly pricesIncludeTax: boolean
}

export type LedgerDirection = 'DEBIT' | 'CREDIT'

export interface JournalEntryRow {
  readonly id: string
  readonly postedAt: Date
  readonly sourceDocumentUri: string
  readonly reversesEntryId: string | null
}

export interface JournalLineRow {
  readonly entryId: string
  readonly position: number
  readonly accountCode: string
  readonly direction: LedgerDirection
  readonly amount: string
  readonly currency: string
}

export type ReconciliationStatus = 'UNMATCHED' | 'PARTIALLY_MATCHED' | 'MATCHED' | 'DISCREPANCY'

export interface SettlementRow {
  readonly id: string
  readonly gateway: string
  readonly payoutDate: Date
  readonly currency: string
  readonly gross: string
  readonly fees: string
  readonly net: string
  readonly status: ReconciliationStatus
}

export type FinanceUserErrorModel = UserError<FinanceErrorCode>

/** Mutation payloads carry ids (what the idempotency store keeps); fields load current state. */
export interface PaymentPayloadModel {
  readonly paymentId: string | null
  readonly userErrors: readonly FinanceUserErrorModel[]
}
export interface RefundPayloadModel {
  readonly refundId: string | null
  readonly userErrors: readonly FinanceUserErrorModel[]
}
export interface InvoicePayloadModel {
  readonly invoiceId: string | null
  readonly userErrors: readonly FinanceUserErrorModel[]
}

export type ReconciliationItemKind = 'MISSING_IN_SETTLEMENT' | 'MISSING_IN_LEDGER' | 'AMOUNT_MISMATCH' | 'DUPLICATE_LINE' | 'CURRENCY_MISMATCH'

export interface ReconciliationItemRow {
  readonly id: string
  readonly fileId: string
  readonly settlementId: string | null
  /** YYYY-MM-DD */
  readonly settlementDate: string
  readonly kind: ReconciliationItemKind
  readonly pspReference: string
  readonly transactionId: string | null
  readonly currency: string
  readonly recordedAmount: string | null
  readonly settledAmount: string | null
  readonly settledCurrency: string | null
  readonly reason: string
  readonly status: 'OPEN' | 'RESOLVED'
  readonly createdAt: Date
  readonly resolvedAt: Date | null
  readonly resolutionNote: string | null
}

/** A period's reconciliation, read in three statements when the report is asked for. */
export interface ReconciliationReportModel {
  readonly from: string
  readonly to: string
  readonly currency: string
  readonly totals: PeriodTotals
  readonly journal: readonly AccountTotalRow[]
  readonly items: readonly ReconciliationItemRow[]
}

export interface SettlementImportPayloadModel {
  readonly fileId: string | null
  /** false when the file had been imported before: nothing was written */
  readonly imported: boolean
  readonly userErrors: readonly FinanceUserErrorModel[]
}
export interface ReconciliationItemPayloadModel {
  readonly itemId: string | null
  readonly userErrors: readonly FinanceUserErrorModel[]
}
