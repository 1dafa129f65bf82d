import type { Queryable } from '../../../platform/db.ts'
import type { PaymentRow } from '../models.ts'

const COLUMNS = `id, order_id as "orderId", customer_id as "customerId", gateway, currency, authorized, captured, refunded, voided`

export async function paymentsByIds(db: Queryable, ids: readonly string[]): Promise<PaymentRow[]> {
  const { rows } = await db.query<PaymentRow>(`select ${COLUMNS} from finance.payments where id = any($1::text[])`, [ids])
  return rows
}

export async function paymentsByOrderIds(db: Queryable, orderIds: readonly string[]): Promise<PaymentRow[]> {
  const { rows } = await db.query<PaymentRow>(
    `select ${COLUMNS} from finance.payments where order_id = any($1::text[]) order by order_id, created_at, id`,
    [orderIds],
  )
  return rows
}

export interface PaymentInsert extends PaymentRow {
  readonly createdAt: Date
}

export async function insertPayments(db: Queryable, payments: readonly PaymentInsert[]): Promise<void> {
  if (payments.length === 0) return
  await db.query(
    `insert into finance.payments (id, order_id, customer_id, gateway, currency, authorized, captured, refunded, voided, created_at)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[],
       $9::boolean[], $10::timestamptz[])`,
    [
      payments.map((p) => p.id),
      payments.map((p) => p.orderId),
      payments.map((p) => p.customerId),
      payments.map((p) => p.gateway),
      payments.map((p) => p.currency),
      payments.map((p) => p.authorized),
      payments.map((p) => p.captured),
      payments.map((p) => p.refunded),
      payments.map((p) => p.voided),
      payments.map((p) => p.createdAt.toISOString()),
    ],
  )
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
