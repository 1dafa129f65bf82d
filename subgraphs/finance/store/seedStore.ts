import type { Queryable } from '../../../platform/db.ts'

/** True when the demo store (or real data) is already there. */
export async function hasFinanceData(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ seeded: boolean }>(`select exists (select 1 from finance.order_accounts) as seeded`)
  return rows[0]?.seeded ?? false
}

/**
 * Empties every finance table. truncate, not delete: the append-only triggers refuse row deletes
 * (they are row triggers, which truncate does not fire), and a reset is not a ledger correction.
 */
export async function truncateFinance(db: Queryable): Promise<void> {
  await db.query(
    `truncate finance.settlement_transactions, finance.settlements, finance.journal_lines, finance.journal_entries,
       finance.invoice_lines, finance.invoices, finance.payment_transactions, finance.refunds, finance.payments,
       finance.order_account_lines, finance.order_accounts, finance.tax_rates, finance.idempotency_keys cascade`,
  )
  await db.query(`select setval('finance.invoice_number_seq', 1, false)`)
}
