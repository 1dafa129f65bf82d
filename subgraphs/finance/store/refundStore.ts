import type { Queryable } from '../../../platform/db.ts'
import type { RefundRow } from '../models.ts'

const COLUMNS = `id, order_id as "orderId", payment_id as "paymentId", customer_id as "customerId", return_id as "returnId", currency,
  amount, note, created_at as "createdAt"`

export async function refundsByIds(db: Queryable, ids: readonly string[]): Promise<RefundRow[]> {
  const { rows } = await db.query<RefundRow>(`select ${COLUMNS} from finance.refunds where id = any($1::text[])`, [ids])
  return rows
}

export async function refundsByOrderIds(db: Queryable, orderIds: readonly string[]): Promise<RefundRow[]> {
  const { rows } = await db.query<RefundRow>(
    `select ${COLUMNS} from finance.refunds where order_id = any($1::text[]) order by order_id, created_at, id`,
    [orderIds],
  )
  return rows
}

export interface RefundInsert {
  readonly id: string
  readonly orderId: string
  readonly paymentId: string
  readonly customerId: string
  readonly returnId: string | null
  readonly currency: string
  readonly amount: bigint
  readonly note: string | null
}

export async function insertRefund(db: Queryable, refund: RefundInsert): Promise<RefundRow> {
  const { rows } = await db.query<RefundRow>(
    `insert into finance.refunds (id, order_id, payment_id, customer_id, return_id, currency, amount, note)
     values ($1, $2, $3, $4, $5, $6, $7::bigint, $8) returning ${COLUMNS}`,
    [refund.id, refund.orderId, refund.paymentId, refund.customerId, refund.returnId, refund.currency, refund.amount.toString(), refund.note],
  )
  return rows[0] as RefundRow
}
