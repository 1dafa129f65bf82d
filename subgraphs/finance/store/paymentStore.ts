import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { PaymentRow } from '../models.ts'
import { orderOwnedLookups } from './orderOwned.ts'

const COLUMNS = `id, order_id as "orderId", customer_id as "customerId", gateway, currency, authorized, captured, refunded, voided`

const lookups = orderOwnedLookups<PaymentRow>('finance.payments', COLUMNS)
export const paymentsByIds = lookups.byIds
export const paymentsByOrderIds = lookups.byOrderIds

export interface PaymentInsert extends PaymentRow {
  readonly createdAt: Date
}

export async function insertPayments(db: Queryable, payments: readonly PaymentInsert[]): Promise<void> {
  await insertRows(db, 'finance.payments', payments, {
    id: 'text', orderId: 'text', customerId: 'text', gateway: 'text', currency: 'text', authorized: 'bigint', captured: 'bigint', refunded: 'bigint',
    voided: 'boolean', createdAt: 'timestamptz',
  })
}

/**
 * Adds `amount` to what was captured, only while it stays within what was authorized and the
 * payment is not voided: one conditional statement, so two concurrent captures cannot both pass
 * a check made on a stale read (written as a difference, so a huge amount cannot overflow
 * bigint). Null when the amount is not capturable.
 */
export async function addCapture(db: Queryable, paymentId: string, amount: bigint): Promise<PaymentRow | null> {
  const { rows } = await db.query<PaymentRow>(
    `update finance.payments set captured = captured + $2::bigint
     where id = $1 and not voided and authorized - captured >= $2::bigint
     returning ${COLUMNS}`,
    [paymentId, amount.toString()],
  )
  return rows[0] ?? null
}

/**
 * The payment a refund of `amount` goes back through: the order's first payment that can still
 * refund all of it. A read, to choose whom to ask the PSP; `addRefund` re-checks on the row.
 */
export function refundablePaymentOf(payments: readonly PaymentRow[], amount: bigint): PaymentRow | null {
  return payments.find((p) => BigInt(p.captured) - BigInt(p.refunded) >= amount) ?? null
}

/**
 * Adds `amount` to what the payment refunded, only while captured - refunded stays >= amount
 * (one conditional statement). Null when a concurrent refund took it first.
 */
export async function addRefund(db: Queryable, paymentId: string, amount: bigint): Promise<PaymentRow | null> {
  const { rows } = await db.query<PaymentRow>(
    `update finance.payments set refunded = refunded + $2::bigint
     where id = $1 and captured - refunded >= $2::bigint
     returning ${COLUMNS}`,
    [paymentId, amount.toString()],
  )
  return rows[0] ?? null
}

/** Voids an authorization nothing was captured from. Null when it was voided or captured meanwhile. */
export async function markVoided(db: Queryable, paymentId: string): Promise<PaymentRow | null> {
  const { rows } = await db.query<PaymentRow>(
    `update finance.payments set voided = true where id = $1 and not voided and captured = 0 returning ${COLUMNS}`,
    [paymentId],
  )
  return rows[0] ?? null
}
