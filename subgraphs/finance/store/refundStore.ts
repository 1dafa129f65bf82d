import type { Queryable } from '../../../platform/db.ts'
import type { RefundRow } from '../models.ts'
import { orderOwnedLookups } from './orderOwned.ts'

const COLUMNS = `id, order_id as "orderId", payment_id as "paymentId", customer_id as "customerId", return_id as "returnId", currency,
  amount, note, created_at as "createdAt"`

const lookups = orderOwnedLookups<RefundRow>('finance.refunds', COLUMNS)
export const refundsByIds = lookups.byIds
export const refundsByOrderIds = lookups.byOrderIds

/** A refund as a mutation records it: the amount as a bigint; the database stamps its time. */
export interface RefundInsert extends Omit<RefundRow, 'amount' | 'createdAt'> {
  readonly amount: bigint
}

export async function insertRefund(db: Queryable, refund: RefundInsert): Promise<RefundRow> {
  const { rows } = await db.query<RefundRow>(
    `insert into finance.refunds (id, order_id, payment_id, customer_id, return_id, currency, amount, note)
     values ($1, $2, $3, $4, $5, $6, $7::bigint, $8) returning ${COLUMNS}`,
    [refund.id, refund.orderId, refund.paymentId, refund.customerId, refund.returnId, refund.currency, refund.amount.toString(), refund.note],
  )
  return rows[0] as RefundRow
}
