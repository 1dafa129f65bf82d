import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { ReconciliationItemRow } from '../models.ts'
import type { SettlementFile } from '../provider/settlementFile.ts'
import type { ItemDraft, RecordedTransaction } from '../reconcile.ts'

// a UTC day as an instant range, whatever the session's time zone
const DAY_START = (param: string) => `((${param}::date)::timestamp at time zone 'UTC')`
const DAY_END = (param: string) => `((${param}::date + 1)::timestamp at time zone 'UTC')`

/**
 * The provider's successful captures and refunds (references matching `pattern`) recorded on
 * `date`, plus any of `references` recorded on another day (a file may settle a late one).
 */
export async function providerTransactions(
  db: Queryable,
  pattern: string,
  date: string,
  references: readonly string[],
): Promise<RecordedTransaction[]> {
  const { rows } = await db.query<{ id: string; pspReference: string; kind: 'CAPTURE' | 'REFUND'; amount: string; currency: string; onDate: boolean }>(
    `select id, psp_reference as "pspReference", kind, amount, currency,
       created_at >= ${DAY_START('$2')} and created_at < ${DAY_END('$2')} as "onDate"
     from finance.payment_transactions
     where status = 'SUCCESS' and kind in ('CAPTURE', 'REFUND') and psp_reference ~ $1
       and ((created_at >= ${DAY_START('$2')} and created_at < ${DAY_END('$2')}) or psp_reference = any($3::text[]))
     order by psp_reference`,
    [pattern, date, references],
  )
  return rows.map((row) => ({ ...row, amount: BigInt(row.amount) }))
}

/** Records the file; false when a file with its id was imported before (nothing is written then). */
export async function insertSettlementFile(db: Queryable, file: SettlementFile): Promise<boolean> {
  const { rows } = await db.query(
    `insert into finance.settlement_files (id, gateway, settlement_date, content) values ($1, $2, $3::date, $4::jsonb)
     on conflict do nothing returning id`,
    [file.fileId, file.gateway, file.date, JSON.stringify(file)],
  )
  return rows.length === 1
}

export async function insertReconciliationItems(db: Queryable, fileId: string, date: string, items: readonly ItemDraft[]): Promise<void> {
  if (items.length === 0) return
  await insertRows(db, 'finance.reconciliation_items', items.map((item) => ({ ...item, fileId, settlementDate: date, status: 'OPEN' })), {
    fileId: 'text', settlementId: 'text', settlementDate: 'date', kind: 'text', pspReference: 'text', transactionId: 'text', currency: 'text',
    recordedAmount: 'bigint', settledAmount: 'bigint', settledCurrency: 'text', reason: 'text', status: 'text',
  })
}

const ITEM_COLUMNS = `id, file_id as "fileId", settlement_id as "settlementId", to_char(settlement_date, 'YYYY-MM-DD') as "settlementDate", kind,
  psp_reference as "pspReference", transaction_id as "transactionId", currency, recorded_amount as "recordedAmount",
  settled_amount as "settledAmount", settled_currency as "settledCurrency", reason, status, created_at as "createdAt",
  resolved_at as "resolvedAt", resolution_note as "resolutionNote"`

export async function reconciliationItemsByIds(db: Queryable, ids: readonly string[]): Promise<ReconciliationItemRow[]> {
  const { rows } = await db.query<ReconciliationItemRow>(`select ${ITEM_COLUMNS} from finance.reconciliation_items where id = any($1::text[])`, [ids])
  return rows
}

/** A file's items, in the order they were found. */
export async function reconciliationItemsOfFile(db: Queryable, fileId: string): Promise<ReconciliationItemRow[]> {
  const { rows } = await db.query<ReconciliationItemRow>(
    `select ${ITEM_COLUMNS} from finance.reconciliation_items where file_id = $1 order by created_at, id`, [fileId])
  return rows
}

/** Every item of the period's days in the currency, open or resolved, by day then as found. */
export async function reconciliationItemsOfPeriod(db: Queryable, from: string, to: string, currency: string): Promise<ReconciliationItemRow[]> {
  const { rows } = await db.query<ReconciliationItemRow>(
    `select ${ITEM_COLUMNS} from finance.reconciliation_items
     where currency = $3 and settlement_date between $1::date and $2::date order by settlement_date, created_at, id`,
    [from, to, currency],
  )
  return rows
}

/** The ids of the settlements (payouts) a file brought, in the file's currency order. */
export async function settlementIdsOfFile(db: Queryable, fileId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `select s.id from finance.settlement_files f
     cross join lateral jsonb_array_elements(f.content -> 'payouts') with ordinality as p (payout, n)
     join finance.settlements s on s.id = 'stl_' || substr(f.id, 4) || '_' || (p.payout ->> 'currency')
     where f.id = $1 order by p.n`,
    [fileId],
  )
  return rows.map((row) => row.id)
}

/**
 * Resolves an open item with a note; null when it is not open (resolved already, or missing:
 * the caller tells which). The conditional update is what keeps two concurrent resolutions from
 * both succeeding.
 */
export async function resolveReconciliationItem(db: Queryable, id: string, resolvedBy: string, note: string): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>(
    `update finance.reconciliation_items set status = 'RESOLVED', resolved_at = date_trunc('milliseconds', now()), resolved_by = $2,
       resolution_note = $3
     where id = $1 and status = 'OPEN' returning id`,
    [id, resolvedBy, note],
  )
  return rows[0]?.id ?? null
}

export interface PeriodTotals {
  readonly ordersPlaced: number
  readonly orderTotal: string
  readonly invoiceCount: number
  readonly invoiced: string
  readonly captured: string
  readonly refunded: string
  readonly settlementCount: number
  readonly settledGross: string
  readonly settledFees: string
  readonly settledNet: string
  /** 6100 debits less credits posted by the period's settlements */
  readonly feesPosted: string
}

/** What orders, invoices, payments and settlements add up to over the period's UTC days, in one currency. */
export async function periodTotals(db: Queryable, from: string, to: string, currency: string): Promise<PeriodTotals> {
  const { rows } = await db.query<PeriodTotals>(
    `with settled as (
       select * from finance.settlements where currency = $3 and payout_date >= ${DAY_START('$1')} and payout_date < ${DAY_END('$2')}
     )
     select
       (select count(*)::int from finance.order_accounts where currency = $3 and placed_at >= ${DAY_START('$1')} and placed_at < ${DAY_END('$2')}) as "ordersPlaced",
       (select coalesce(sum(total), 0)::text from finance.order_accounts where currency = $3 and placed_at >= ${DAY_START('$1')} and placed_at < ${DAY_END('$2')}) as "orderTotal",
       (select count(*)::int from finance.invoices where currency = $3 and status not in ('DRAFT', 'VOID')
          and issued_at >= ${DAY_START('$1')} and issued_at < ${DAY_END('$2')}) as "invoiceCount",
       (select coalesce(sum(total), 0)::text from finance.invoices where currency = $3 and status not in ('DRAFT', 'VOID')
          and issued_at >= ${DAY_START('$1')} and issued_at < ${DAY_END('$2')}) as "invoiced",
       (select coalesce(sum(amount) filter (where kind = 'CAPTURE'), 0)::text from finance.payment_transactions
          where currency = $3 and status = 'SUCCESS' and created_at >= ${DAY_START('$1')} and created_at < ${DAY_END('$2')}) as "captured",
       (select coalesce(sum(amount) filter (where kind = 'REFUND'), 0)::text from finance.payment_transactions
          where currency = $3 and status = 'SUCCESS' and created_at >= ${DAY_START('$1')} and created_at < ${DAY_END('$2')}) as "refunded",
       (select count(*)::int from settled) as "settlementCount",
       (select coalesce(sum(gross), 0)::text from settled) as "settledGross",
       (select coalesce(sum(fees), 0)::text from settled) as "settledFees",
       (select coalesce(sum(net), 0)::text from settled) as "settledNet",
       (select coalesce(sum(case l.direction when 'DEBIT' then l.amount else -l.amount end), 0)::text
          from finance.journal_entries e join finance.journal_lines l on l.entry_id = e.id
          where l.account_code = '6100' and l.currency = $3
            and e.source_document_uri in (select 'gid://finance/Settlement/' || id from settled)) as "feesPosted"`,
    [from, to, currency],
  )
  return rows[0] as PeriodTotals
}

export interface AccountTotalRow {
  readonly accountCode: string
  readonly debits: string
  readonly credits: string
}

/** Debits and credits per account of the entries posted over the period's UTC days, in one currency. */
export async function journalTotalsOfPeriod(db: Queryable, from: string, to: string, currency: string): Promise<AccountTotalRow[]> {
  const { rows } = await db.query<AccountTotalRow>(
    `select l.account_code as "accountCode",
       coalesce(sum(l.amount) filter (where l.direction = 'DEBIT'), 0)::text as debits,
       coalesce(sum(l.amount) filter (where l.direction = 'CREDIT'), 0)::text as credits
     from finance.journal_entries e join finance.journal_lines l on l.entry_id = e.id
     where l.currency = $3 and e.posted_at >= ${DAY_START('$1')} and e.posted_at < ${DAY_END('$2')}
     group by l.account_code order by l.account_code`,
    [from, to, currency],
  )
  return rows
}
