import type { Queryable } from '../../../platform/db.ts'

/**
 * The two lookups of a table whose rows belong to an order (payments, refunds): by id, and the
 * rows of each order, oldest first (the order's fields list them in that order).
 */
export function orderOwnedLookups<R>(table: 'finance.payments' | 'finance.refunds', columns: string) {
  return {
    byIds: async (db: Queryable, ids: readonly string[]): Promise<R[]> =>
      (await db.query<R>(`select ${columns} from ${table} where id = any($1::text[])`, [ids])).rows,
    byOrderIds: async (db: Queryable, orderIds: readonly string[]): Promise<R[]> =>
      (await db.query<R>(`select ${columns} from ${table} where order_id = any($1::text[]) order by order_id, created_at, id`, [orderIds])).rows,
  }
}
