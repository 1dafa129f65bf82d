import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { OrderAccountRow, StoredTaxLine } from '../models.ts'

const COLUMNS = `order_id as "orderId", customer_id as "customerId", currency, subtotal, tax_total as "taxTotal", total, status,
  placed_at as "placedAt"`

export async function orderAccountsByIds(db: Queryable, orderIds: readonly string[]): Promise<OrderAccountRow[]> {
  const { rows } = await db.query<OrderAccountRow>(`select ${COLUMNS} from finance.order_accounts where order_id = any($1::text[])`, [orderIds])
  return rows
}

/** What an order's line and an invoice's line both hold: an invoice copies its order's lines. */
export interface LineValues {
  readonly position: number
  readonly lineItemId: string | null
  readonly description: string
  readonly quantity: number
  readonly unitPrice: bigint | string
  readonly taxLines: readonly StoredTaxLine[]
  readonly total: bigint | string
}

/** The columns of `order_account_lines` and `invoice_lines` but the parent's key. */
export const LINE_COLUMNS = {
  position: 'int', lineItemId: 'text', description: 'text', quantity: 'int', unitPrice: 'bigint', taxLines: 'jsonb', total: 'bigint',
}

/** The money columns an order account and its invoice both hold. */
export const TOTALS_COLUMNS = { currency: 'text', subtotal: 'bigint', taxTotal: 'bigint', total: 'bigint' }

export interface OrderAccountLine extends LineValues {
  readonly orderId: string
  readonly lineItemId: string
  readonly unitPrice: bigint
  readonly total: bigint
}

const ACCOUNT_COLUMNS = { orderId: 'text', customerId: 'text', ...TOTALS_COLUMNS, status: 'text', placedAt: 'timestamptz' }

/**
 * Records an order once: false when finance already has it (the same order announced again),
 * so the caller writes nothing more.
 */
export async function insertOrderAccountIfAbsent(db: Queryable, account: OrderAccountRow): Promise<boolean> {
  return (await insertRows(db, 'finance.order_accounts', [account], ACCOUNT_COLUMNS, { onConflict: 'on conflict (order_id) do nothing' })) > 0
}

export async function markOrderCancelled(db: Queryable, orderId: string): Promise<void> {
  await db.query(`update finance.order_accounts set status = 'CANCELLED' where order_id = $1 and status <> 'CANCELLED'`, [orderId])
}

/** What an OrderPlaced event (and the seed) records about an order. */
export async function insertOrderAccounts(db: Queryable, accounts: readonly OrderAccountRow[]): Promise<void> {
  await insertRows(db, 'finance.order_accounts', accounts, ACCOUNT_COLUMNS)
}

export async function insertOrderAccountLines(db: Queryable, lines: readonly OrderAccountLine[]): Promise<void> {
  await insertRows(db, 'finance.order_account_lines', lines, { orderId: 'text', ...LINE_COLUMNS })
}
