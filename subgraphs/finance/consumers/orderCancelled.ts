import type { Database, Queryable } from '../../../platform/db.ts'
import type { EventOf } from '../../../platform/events.ts'
import type { OrdersEvents } from '../../orders/events.ts'
import { newId } from '../ids.ts'
import { kit } from '../kit.ts'
import { reversalLines } from '../ledger.ts'
import type { PaymentProvider } from '../provider/paymentProvider.ts'
import { voidIssuedInvoice } from '../store/invoiceStore.ts'
import { journalEntryIdOfSource, journalLinesByEntryIds, postJournalEntries } from '../store/journalStore.ts'
import { markOrderCancelled } from '../store/orderAccountStore.ts'
import { markVoided, paymentsByOrderIds } from '../store/paymentStore.ts'
import { authorizationsOfPayments, insertTransactions } from '../store/transactionStore.ts'

/** An authorization the PSP released: what the transaction records. */
export interface ProviderVoid {
  readonly paymentId: string
  readonly authorizationId: string
  readonly pspReference: string
  readonly idempotencyKey: string
}

export const voidKeyOf = (paymentId: string) => `void:${paymentId}`

/**
 * Outside the transaction: releases, at the PSP, every authorization of the order nothing was
 * captured from. A declined order has none (it authorized nothing); a captured one is not voided
 * here (money taken goes back by refund, a staff decision). A timeout or a refusal throws, and
 * the event is retried with the same keys.
 */
export async function prepareOrderCancelled(db: Database, provider: PaymentProvider, event: EventOf<OrdersEvents, 'OrderCancelled'>): Promise<ProviderVoid[]> {
  const { orderId } = event.payload
  const open = (await paymentsByOrderIds(db, [orderId])).filter((p) => !p.voided && BigInt(p.authorized) > 0n && BigInt(p.captured) === 0n)
  if (open.length === 0) return []
  const authorizations = await authorizationsOfPayments(db, open.map((p) => p.id))
  const voids: ProviderVoid[] = []
  for (const payment of open) {
    const authorization = authorizations.find((a) => a.paymentId === payment.id)
    if (!authorization?.pspReference) throw new Error(`payment ${payment.id} has no authorization reference to void`)
    const idempotencyKey = voidKeyOf(payment.id)
    const result = await provider.void({
      idempotencyKey, amount: BigInt(payment.authorized), currency: payment.currency, authorizationReference: authorization.pspReference,
    })
    if (result.outcome === 'declined') throw new Error(`the provider refused to void payment ${payment.id}: ${result.code} ${result.message}`)
    voids.push({ paymentId: payment.id, authorizationId: authorization.id, pspReference: result.pspReference, idempotencyKey })
  }
  return voids
}

/**
 * Inside the transaction: the VOID transactions, the order's invoice VOID with an entry that
 * reverses its receivable (the ledger is never edited), and the account marked cancelled. Each
 * step is conditional, so a second delivery finds nothing left to do.
 */
export async function applyOrderCancelled(tx: Queryable, event: EventOf<OrdersEvents, 'OrderCancelled'>, voids: readonly ProviderVoid[]): Promise<void> {
  const { orderId } = event.payload
  await markOrderCancelled(tx, orderId)
  let reversalSource: string | null = null
  for (const done of voids) {
    // null: voided by an earlier delivery, or captured meanwhile (then the capture stands)
    const payment = await markVoided(tx, done.paymentId)
    if (!payment) continue
    const transactionId = newId('txn')
    await insertTransactions(tx, [{
      id: transactionId, paymentId: payment.id, refundId: null, kind: 'VOID', status: 'SUCCESS', amount: BigInt(payment.authorized),
      currency: payment.currency, pspReference: done.pspReference, parentTransactionId: done.authorizationId, idempotencyKey: done.idempotencyKey,
      createdAt: null,
    }])
    reversalSource ??= `gid://finance/PaymentTransaction/${transactionId}`
    await kit.publish(tx, {
      type: 'PaymentVoided', aggregateId: payment.id, payload: { orderId, paymentId: payment.id },
      traceContext: event.traceContext,
    })
  }
  if (!reversalSource) return
  const captured = (await paymentsByOrderIds(tx, [orderId])).some((p) => BigInt(p.captured) > 0n)
  if (captured) return
  const invoice = await voidIssuedInvoice(tx, orderId)
  if (!invoice) return
  const invoiceEntryId = await journalEntryIdOfSource(tx, `gid://finance/Invoice/${invoice.id}`)
  if (!invoiceEntryId) return
  const lines = await journalLinesByEntryIds(tx, [invoiceEntryId])
  await postJournalEntries(tx, [{
    id: newId('je'), postedAt: null, sourceDocumentUri: reversalSource, reversesEntryId: invoiceEntryId,
    lines: reversalLines(lines.map((l) => ({ accountCode: l.accountCode, direction: l.direction, amount: BigInt(l.amount), currency: l.currency }))),
  }])
}
