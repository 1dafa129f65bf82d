import type { Queryable } from '../../../platform/db.ts'
import { insertRows, type ColumnOf } from '../../../platform/insertRows.ts'
import type { OrderAccountRow, StoredTaxLine } from '../models.ts'

type Columns<Row> = { readonly [column: string]: ColumnOf<Row> }

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
export const LINE_COLUMNS: Columns<LineValues> = {
  position: ['int', (l) => l.position],
  line_item_id: ['text', (l) => l.lineItemId],
  description: ['text', (l) => l.description],
  quantity: ['int', (l) => l.quantity],
  unit_price: ['bigint', (l) => l.unitPrice],
  tax_lines: ['jsonb', (l) => l.taxLines],
  total: ['bigint', (l) => l.total],
}

export interface OrderAccountLine extends LineValues {
  readonly orderId: string
  readonly lineItemId: string
  readonly unitPrice: bigint
  readonly total: bigint
}

const ACCOUNT_COLUMNS: Columns<OrderAccountRow> = {
  order_id: ['text', (a) => a.orderId],
  customer_id: ['text', (a) => a.customerId],
  currency: ['text', (a) => a.currency],
  subtotal: ['bigint', (a) => a.subtotal],
  tax_total: ['bigint', (a) => a.taxTotal],
  total: ['bigint', (a) => a.total],
  status: ['text', (a) => a.status],
  placed_at: ['timestamptz', (a) => a.placedAt],
}

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
  await insertRows<OrderAccountLine>(db, 'finance.order_account_lines', lines, { order_id: ['text', (l) => l.orderId], ...LINE_COLUMNS })
}
