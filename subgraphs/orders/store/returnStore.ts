import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { ReturnModel, ReturnStatus } from '../models.ts'

/** Returns by id, or by order (oldest first). */
export async function returnsBy(db: Queryable, key: 'id' | 'order_id', values: readonly string[]): Promise<ReturnModel[]> {
  const { rows } = await db.query<ReturnModel>(
    `select r.id, r.order_id as "orderId", r.status, r.created_at as "createdAt", o.customer_id as "customerId"
     from orders.returns r join orders.orders o on o.id = r.order_id
     where r.${key} = any($1::text[]) order by r.created_at, r.id`,
    [values],
  )
  return rows
}

export interface NewReturn {
  readonly id: string
  readonly orderId: string
  readonly status: ReturnStatus
  readonly lines: readonly { lineItemId: string; quantity: number; reason: string | null; restock: boolean }[]
}

/** Writes a return and its lines (returnCreate's effect; tests write returns of other statuses with it). */
export async function insertReturn(tx: Queryable, entry: NewReturn): Promise<void> {
  await insertRows(tx, 'orders.returns', [entry], { id: 'text', orderId: 'text', status: 'text' })
  await insertRows(tx, 'orders.return_lines', entry.lines, {
    returnId: ['text', () => entry.id], lineItemId: 'text', quantity: 'int', reason: 'text', restock: 'boolean',
  })
}
