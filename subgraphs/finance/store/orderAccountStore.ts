import type { Queryable } from '../../../platform/db.ts'
import type { OrderAccountRow, StoredTaxLine } from '../models.ts'

const COLUMNS = `order_id as "orderId", customer_id as "customerId", currency, subtotal, tax_total as "taxTotal", total, status,
  placed_at as "placedAt"`

export async function orderAccountsByIds(db: Queryable, orderIds: readonly string[]): Promise<OrderAccountRow[]> {
  const { rows } = await db.query<OrderAccountRow>(`select ${COLUMNS} from finance.order_accounts where order_id = any($1::text[])`, [orderIds])
  return rows
}

export interface OrderAccountLine {
  readonly orderId: string
  readonly position: number
  readonly lineItemId: string
  readonly description: string
  readonly quantity: number
  readonly unitPrice: bigint
  readonly taxLines: readonly StoredTaxLine[]
  readonly total: bigint
}

/**
 * Records an order once: false when finance already has it (the same order announced again),
 * so the caller writes nothing more.
 */
export async function insertOrderAccountIfAbsent(db: Queryable, account: OrderAccountRow): Promise<boolean> {
  const { rowCount } = await db.query(
    `insert into finance.order_accounts (order_id, customer_id, currency, subtotal, tax_total, total, status, placed_at)
     values ($1, $2, $3, $4::bigint, $5::bigint, $6::bigint, $7, $8::timestamptz)
     on conflict (order_id) do nothing`,
    [account.orderId, account.customerId, account.currency, account.subtotal, account.taxTotal, account.total, account.status,
      account.placedAt.toISOString()],
  )
  return rowCount > 0
}

export async function markOrderCancelled(db: Queryable, orderId: string): Promise<void> {
  await db.query(`update finance.order_accounts set status = 'CANCELLED' where order_id = $1 and status <> 'CANCELLED'`, [orderId])
}

/** What an OrderPlaced event (and the seed) records about an order. */
export async function insertOrderAccounts(db: Queryable, accounts: readonly OrderAccountRow[]): Promise<void> {
  if (accounts.length === 0) return
  await db.query(
    `insert into finance.order_accounts (order_id, customer_id, currency, subtotal, tax_total, total, status, placed_at)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[], $8::timestamptz[])`,
    [
      accounts.map((a) => a.orderId),
      accounts.map((a) => a.customerId),
      accounts.map((a) => a.currency),
      accounts.map((a) => a.subtotal),
      accounts.map((a) => a.taxTotal),
      accounts.map((a) => a.total),
      accounts.map((a) => a.status),
      accounts.map((a) => a.placedAt.toISOString()),
    ],
  )
}

export async function insertOrderAccountLines(db: Queryable, lines: readonly OrderAccountLine[]): Promise<void> {
  if (lines.length === 0) return
  await db.query(
    `insert into finance.order_account_lines (order_id, position, line_item_id, description, quantity, unit_price, tax_lines, total)
     select order_id, position, line_item_id, description, quantity, unit_price, tax_lines::jsonb, total
     from unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::int[], $6::bigint[], $7::text[], $8::bigint[])
       as l (order_id, position, line_item_id, description, quantity, unit_price, tax_lines, total)`,
    [
      lines.map((l) => l.orderId),
      lines.map((l) => l.position),
      lines.map((l) => l.lineItemId),
      lines.map((l) => l.description),
      lines.map((l) => l.quantity),
      lines.map((l) => l.unitPrice.toString()),
      lines.map((l) => JSON.stringify(l.taxLines)),
      lines.map((l) => l.total.toString()),
    ],
  )
}
