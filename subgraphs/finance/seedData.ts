/**
 * Finance's part of the demo store, derived from the world's orders: what a run of the real flow
 * (OrderPlaced → authorize → invoice → capture at fulfilment → PSP payout) would have left.
 * Pure: seed.ts writes it, tests compute expectations from it.
 */
import type { World, WorldOrder } from '../../seed/world.ts'
import { captureLines, invoiceLines, settlementFeeLines } from './ledger.ts'
import type { OrderAccountRow, SettlementRow } from './models.ts'
import type { InvoiceInsert } from './store/invoiceStore.ts'
import type { JournalEntryDraft } from './store/journalStore.ts'
import type { OrderAccountLine } from './store/orderAccountStore.ts'
import type { PaymentInsert } from './store/paymentStore.ts'
import type { SettlementTransactionInsert } from './store/settlementStore.ts'
import type { TransactionInsert } from './store/transactionStore.ts'

const HOUR = 3_600_000
const DAY = 24 * HOUR

export interface FinanceSeed {
  readonly accounts: OrderAccountRow[]
  readonly accountLines: OrderAccountLine[]
  readonly payments: PaymentInsert[]
  readonly transactions: TransactionInsert[]
  readonly invoices: InvoiceInsert[]
  readonly journalEntries: JournalEntryDraft[]
  readonly settlements: SettlementRow[]
  readonly settlementTransactions: SettlementTransactionInsert[]
}

/** ord_0001 → 0001: finance's seeded ids follow the order they belong to. */
const suffixOf = (order: WorldOrder) => order.id.replace(/^ord_/, '')
export const gatewayOf = (currency: string) => (currency === 'EUR' ? 'adyen' : 'stripe')
/** The PSP's fee on a capture: 2.9% (rounded half up) plus 30 minor units. */
export const pspFeeOf = (amount: bigint) => (amount * 29n + 500n) / 1000n + 30n
export const captureTimeOf = (order: WorldOrder) => new Date(order.placedAt.getTime() + DAY)

export function financeSeedOf(world: Pick<World, 'orders'>): FinanceSeed {
  const seed: FinanceSeed = {
    accounts: [], accountLines: [], payments: [], transactions: [], invoices: [], journalEntries: [], settlements: [], settlementTransactions: [],
  }
  const captures: { order: WorldOrder; transactionId: string }[] = []
  for (const order of world.orders) {
    const n = suffixOf(order)
    const { currency, total, taxTotal } = order
    const paid = order.financialStatus === 'PAID'
    const voided = order.financialStatus === 'VOIDED'
    seed.accounts.push({
      orderId: order.id, customerId: order.customerId, currency, subtotal: order.subtotal.toString(), taxTotal: taxTotal.toString(),
      total: total.toString(), status: order.status, placedAt: order.placedAt,
    })
    const lines = order.lineItems.map((li, position) => ({
      position, lineItemId: li.id, description: li.title, quantity: li.quantity, unitPrice: li.unitPrice, total: li.total,
      taxLines: li.taxLines.map((t) => ({ title: t.title, rate: t.rate, amount: t.amount.toString() })),
    }))
    seed.accountLines.push(...lines.map((line) => ({ ...line, orderId: order.id })))

    const paymentId = `pay_${n}`
    seed.payments.push({
      id: paymentId, orderId: order.id, customerId: order.customerId, gateway: gatewayOf(currency), currency,
      authorized: total.toString(), captured: paid ? total.toString() : '0', refunded: '0', voided, createdAt: order.placedAt,
    })
    const transaction = (kind: TransactionInsert['kind'], at: Date, parent: string | null): TransactionInsert => ({
      id: `txn_${n}_${kind.toLowerCase()}`, paymentId, refundId: null, kind, status: 'SUCCESS', amount: total, currency,
      pspReference: `psp_${kind.toLowerCase().slice(0, 4)}_${n}`, parentTransactionId: parent, idempotencyKey: null, createdAt: at,
    })
    const authorization = transaction('AUTHORIZATION', order.placedAt, null)
    seed.transactions.push(authorization)
    if (voided) seed.transactions.push(transaction('VOID', new Date(order.placedAt.getTime() + HOUR), authorization.id))
    if (voided) continue

    const invoiceId = `inv_${n}`
    seed.invoices.push({
      id: invoiceId, number: `INV-${order.placedAt.getUTCFullYear()}-${String(seed.invoices.length + 1).padStart(5, '0')}`,
      orderId: order.id, customerId: order.customerId, status: paid ? 'PAID' : 'ISSUED', issuedAt: order.placedAt, currency,
      subtotal: order.subtotal.toString(), taxTotal: taxTotal.toString(), total: total.toString(),
      lines,
    })
    seed.journalEntries.push({
      id: `je_${n}_invoice`, postedAt: order.placedAt, sourceDocumentUri: `gid://finance/Invoice/${invoiceId}`, reversesEntryId: null,
      lines: invoiceLines(total, taxTotal, currency),
    })
    if (!paid) continue
    const capture = transaction('CAPTURE', captureTimeOf(order), authorization.id)
    seed.transactions.push(capture)
    captures.push({ order, transactionId: capture.id })
    seed.journalEntries.push({
      id: `je_${n}_capture`, postedAt: capture.createdAt, sourceDocumentUri: `gid://finance/PaymentTransaction/${capture.id}`,
      reversesEntryId: null, lines: captureLines(total, currency),
    })
  }
  addSettlements(seed, captures)
  return seed
}

/**
 * Three PSP payouts: one that matches our captures exactly, one where the PSP settled one
 * capture for less than we recorded (DISCREPANCY), one still partly unreconciled.
 */
function addSettlements(seed: FinanceSeed, captures: readonly { order: WorldOrder; transactionId: string }[]): void {
  const usd = captures.filter((c) => c.order.currency === 'USD')
  const eur = captures.filter((c) => c.order.currency === 'EUR')
  const batches = [
    { id: 'stl_0001', currency: 'USD', items: usd.slice(0, 8), status: 'MATCHED' as const, short: -1, pending: -1 },
    { id: 'stl_0002', currency: 'EUR', items: eur.slice(0, 5), status: 'DISCREPANCY' as const, short: 2, pending: -1 },
    { id: 'stl_0003', currency: 'USD', items: usd.slice(8, 14), status: 'PARTIALLY_MATCHED' as const, short: -1, pending: 5 },
  ]
  for (const batch of batches) {
    let gross = 0n
    let fees = 0n
    batch.items.forEach(({ order, transactionId }, i) => {
      // the PSP paid 1.00 less than we captured: a discrepancy to investigate
      const settledAmount = i === batch.short ? order.total - 100n : order.total
      gross += settledAmount
      fees += pspFeeOf(order.total)
      seed.settlementTransactions.push({ settlementId: batch.id, transactionId, settledAmount, matched: i !== batch.short && i !== batch.pending })
    })
    const lastCapture = Math.max(...batch.items.map(({ order }) => captureTimeOf(order).getTime()))
    const payoutDate = new Date(lastCapture + 2 * DAY)
    seed.settlements.push({
      id: batch.id, gateway: gatewayOf(batch.currency), payoutDate, currency: batch.currency, gross: gross.toString(), fees: fees.toString(),
      net: (gross - fees).toString(), status: batch.status,
    })
    seed.journalEntries.push({
      id: `je_${batch.id}_fees`, postedAt: payoutDate, sourceDocumentUri: `gid://finance/Settlement/${batch.id}`, reversesEntryId: null,
      lines: settlementFeeLines(fees, batch.currency),
    })
  }
}
