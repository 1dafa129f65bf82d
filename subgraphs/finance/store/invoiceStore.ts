import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { InvoiceLineRow, InvoiceRow, OrderAccountRow } from '../models.ts'
import { LINE_COLUMNS, TOTALS_COLUMNS, type LineValues } from './orderAccountStore.ts'

const COLUMNS = `i.id, i.number, i.order_id as "orderId", i.customer_id as "customerId", i.status, i.issued_at as "issuedAt", i.currency,
  i.subtotal, i.tax_total as "taxTotal", i.total`
const LIVE = `('ISSUED', 'PAID', 'CREDITED')`

export async function invoicesByIds(db: Queryable, ids: readonly string[]): Promise<InvoiceRow[]> {
  const { rows } = await db.query<InvoiceRow>(`select ${COLUMNS} from finance.invoices i where i.id = any($1::text[])`, [ids])
  return rows
}

export async function invoicesByOrderIds(db: Queryable, orderIds: readonly string[]): Promise<InvoiceRow[]> {
  const { rows } = await db.query<InvoiceRow>(
    `select ${COLUMNS} from finance.invoices i where i.order_id = any($1::text[]) order by i.order_id, i.issued_at nulls last, i.id`,
    [orderIds],
  )
  return rows
}

export async function invoiceLinesByInvoiceIds(db: Queryable, invoiceIds: readonly string[]): Promise<InvoiceLineRow[]> {
  const { rows } = await db.query<InvoiceLineRow>(
    `select l.invoice_id as "invoiceId", l.position, l.line_item_id as "lineItemId", l.description, l.quantity,
       l.unit_price as "unitPrice", l.tax_lines as "taxLines", l.total, i.currency
     from finance.invoice_lines l join finance.invoices i on i.id = l.invoice_id
     where l.invoice_id = any($1::text[]) order by l.invoice_id, l.position`,
    [invoiceIds],
  )
  return rows
}

/** The order's issued (live) invoice, if any: at most one exists (a partial unique index). */
export async function liveInvoiceOfOrder(db: Queryable, orderId: string): Promise<InvoiceRow | null> {
  const { rows } = await db.query<InvoiceRow>(`select ${COLUMNS} from finance.invoices i where i.order_id = $1 and i.status in ${LIVE}`, [orderId])
  return rows[0] ?? null
}

/**
 * Issues the order's invoice from finance's copy of the order, numbered from the sequence
 * (INV-<year>-<nnnnn>). Null when the order already has a live invoice: a concurrent issue lost
 * the race on the unique index, and the caller returns the winner's invoice instead.
 */
export async function issueInvoiceForOrder(db: Queryable, account: OrderAccountRow, id: string): Promise<InvoiceRow | null> {
  const { rows } = await db.query<InvoiceRow>(
    `insert into finance.invoices as i (id, number, order_id, customer_id, status, issued_at, currency, subtotal, tax_total, total)
     select $1, 'INV-' || to_char(now() at time zone 'UTC', 'YYYY') || '-' || lpad(nextval('finance.invoice_number_seq')::text, 5, '0'),
       a.order_id, a.customer_id, 'ISSUED', now(), a.currency, a.subtotal, a.tax_total, a.total
     from finance.order_accounts a where a.order_id = $2
     on conflict (order_id) where status in ${LIVE} do nothing
     returning ${COLUMNS}`,
    [id, account.orderId],
  )
  const invoice = rows[0]
  if (!invoice) return null
  await db.query(
    `insert into finance.invoice_lines (invoice_id, position, line_item_id, description, quantity, unit_price, tax_lines, total)
     select $1, position, line_item_id, description, quantity, unit_price, tax_lines, total
     from finance.order_account_lines where order_id = $2`,
    [invoice.id, account.orderId],
  )
  return invoice
}

export interface InvoiceInsert extends InvoiceRow {
  readonly lines: readonly LineValues[]
}

/** Seed-shaped bulk insert: invoices and their lines in two statements. */
export async function insertInvoices(db: Queryable, invoices: readonly InvoiceInsert[]): Promise<void> {
  if (invoices.length === 0) return
  await insertRows(db, 'finance.invoices', invoices, {
    id: 'text', number: 'text', orderId: 'text', customerId: 'text', status: 'text', issuedAt: 'timestamptz', ...TOTALS_COLUMNS,
  })
  const lines = invoices.flatMap((invoice) => invoice.lines.map((line) => ({ ...line, invoiceId: invoice.id })))
  await insertRows(db, 'finance.invoice_lines', lines, { invoiceId: 'text', ...LINE_COLUMNS })
  // later invoices continue the numbering after the seeded ones
  await db.query(`select setval('finance.invoice_number_seq', greatest((select last_value from finance.invoice_number_seq), $1::bigint))`, [
    invoices.length,
  ])
}

/** Voids the order's invoice while nothing was paid on it. Null when there is none to void. */
export async function voidIssuedInvoice(db: Queryable, orderId: string): Promise<InvoiceRow | null> {
  const { rows } = await db.query<InvoiceRow>(
    `update finance.invoices i set status = 'VOID' where i.order_id = $1 and i.status = 'ISSUED' returning ${COLUMNS}`,
    [orderId],
  )
  return rows[0] ?? null
}

/**
 * Moves the order's live invoice along with its payments: PAID once captures cover the total,
 * CREDITED once refunds give all of it back.
 */
export async function syncInvoiceStatus(db: Queryable, orderId: string): Promise<void> {
  await db.query(
    `update finance.invoices i set status = case
         when p.refunded >= i.total and i.total > 0 then 'CREDITED'
         when p.captured >= i.total then 'PAID'
         else i.status end
     from (select coalesce(sum(captured), 0) as captured, coalesce(sum(refunded), 0) as refunded
           from finance.payments where order_id = $1) p
     where i.order_id = $1 and i.status in ('ISSUED', 'PAID')`,
    [orderId],
  )
}
