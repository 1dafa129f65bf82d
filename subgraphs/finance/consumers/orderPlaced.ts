import type { Database, Queryable } from '../../../platform/db.ts'
import type { EventOf } from '../../../platform/events.ts'
import type { OrdersEvents } from '../../orders/events.ts'
import { newId } from '../ids.ts'
import { kit } from '../kit.ts'
import { invoiceLines } from '../ledger.ts'
import type { OrderAccountRow, TaxRateRow } from '../models.ts'
import type { PaymentProvider, ProviderResult } from '../provider/paymentProvider.ts'
import { issueInvoiceForOrder } from '../store/invoiceStore.ts'
import { postJournalEntries } from '../store/journalStore.ts'
import { insertOrderAccountIfAbsent, insertOrderAccountLines } from '../store/orderAccountStore.ts'
import { insertPayments } from '../store/paymentStore.ts'
import { taxRatesByCountries } from '../store/taxRateStore.ts'
import { insertTransactions } from '../store/transactionStore.ts'
import { taxLineOf, taxTotalOf } from '../tax.ts'

/** The provider's key for an order's authorization: the same on every redelivery, so the PSP authorizes once. */
export const authorizeKeyOf = (orderId: string) => `authorize:${orderId}`

async function taxRateOf(db: Queryable, countryCode: string): Promise<TaxRateRow> {
  const [rate] = await taxRatesByCountries(db, [countryCode])
  // thrown, so the event is retried and then dead-lettered for an operator: no invoice without a rate
  if (!rate) throw new Error(`finance has no tax rate for country ${countryCode}`)
  return rate
}

/**
 * Outside the transaction: authorizes the order total with the PSP. A ProviderTimeoutError
 * (after the provider's own retries) propagates, and the platform redelivers the event; a
 * ProviderUnavailableError (the PSP is down) makes the event wait for it (orderEvents.ts). Every
 * retry uses the same key, so the PSP answers what it did, never holding the money twice. The
 * tax rate is checked first so that no money is held for an order finance could not invoice.
 */
export async function prepareOrderPlaced(db: Database, provider: PaymentProvider, event: EventOf<OrdersEvents, 'OrderPlaced'>): Promise<ProviderResult> {
  const order = event.payload
  await taxRateOf(db, order.countryCode)
  return provider.authorize({
    idempotencyKey: authorizeKeyOf(order.orderId), amount: BigInt(order.total), currency: order.currency,
    paymentMethodToken: order.paymentMethodToken,
  })
}

/**
 * Inside the transaction: finance's copy of the order (taxed from finance's own rates), the
 * payment and its AUTHORIZATION transaction, and when authorized the invoice with its receivable
 * entry (DR receivable total / CR revenue total - tax / CR tax payable). A declined payment owes
 * nothing: no invoice, no entry. An order already recorded is left as it is.
 */
export async function applyOrderPlaced(tx: Queryable, provider: PaymentProvider, event: EventOf<OrdersEvents, 'OrderPlaced'>, result: ProviderResult): Promise<void> {
  const order = event.payload
  const rate = await taxRateOf(tx, order.countryCode)
  const lines = order.lines.map((line, position) => ({
    orderId: order.orderId, position, lineItemId: line.lineItemId, description: line.title, quantity: line.quantity,
    unitPrice: BigInt(line.unitPrice), total: BigInt(line.total), taxLines: [taxLineOf(BigInt(line.total), rate)],
  }))
  const taxTotal = taxTotalOf(lines.flatMap((line) => line.taxLines))
  const account: OrderAccountRow = {
    orderId: order.orderId, customerId: order.customerId, currency: order.currency, subtotal: order.subtotal, taxTotal: taxTotal.toString(),
    total: order.total, status: 'OPEN', placedAt: new Date(order.placedAt),
  }
  if (!(await insertOrderAccountIfAbsent(tx, account))) return
  await insertOrderAccountLines(tx, lines)

  const authorized = result.outcome === 'success'
  const paymentId = newId('pay')
  await insertPayments(tx, [{
    id: paymentId, orderId: order.orderId, customerId: order.customerId, gateway: provider.name, currency: order.currency,
    authorized: authorized ? order.total : '0', captured: '0', refunded: '0', voided: false, createdAt: new Date(),
  }])
  await insertTransactions(tx, [{
    id: newId('txn'), paymentId, refundId: null, kind: 'AUTHORIZATION', status: authorized ? 'SUCCESS' : 'FAILURE', amount: BigInt(order.total),
    currency: order.currency, pspReference: result.pspReference, parentTransactionId: null, idempotencyKey: authorizeKeyOf(order.orderId),
    createdAt: null,
  }])

  if (result.outcome === 'declined') {
    await kit.publish(tx, {
      type: 'PaymentDeclined', aggregateId: paymentId, traceContext: event.traceContext,
      payload: { orderId: order.orderId, paymentId, code: result.code, reason: `Payment declined: ${result.message}` },
    })
    return
  }
  // the account was inserted just above, so the order cannot have a live invoice yet
  const invoice = await issueInvoiceForOrder(tx, account, newId('inv'))
  if (!invoice) throw new Error(`order ${order.orderId} already has a live invoice`)
  const entryLines = invoiceLines(BigInt(invoice.total), BigInt(invoice.taxTotal), invoice.currency)
  // a zero-total order posts nothing: an entry needs lines, and lines are strictly positive
  if (entryLines.length > 0) {
    await postJournalEntries(tx, [{
      id: newId('je'), postedAt: null, sourceDocumentUri: `gid://finance/Invoice/${invoice.id}`, reversesEntryId: null, lines: entryLines,
    }])
  }
  await kit.publish(tx, {
    type: 'PaymentAuthorized', aggregateId: paymentId, traceContext: event.traceContext,
    payload: { orderId: order.orderId, paymentId, amount: order.total, currency: order.currency, invoiceId: invoice.id },
  })
}
