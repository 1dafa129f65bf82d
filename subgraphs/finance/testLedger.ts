/**
 * Test support: what every test file that moves money checks at its end. The ledger balances
 * per entry, per currency and in total, and every journal row that existed when the file began
 * is still there, unchanged (the ledger is append-only: corrections are new entries).
 */
import assert from 'node:assert/strict'
import type { Queryable } from '../../platform/db.ts'
import { trialBalance, unbalancedEntryIds } from './store/journalStore.ts'

export interface LedgerSnapshot {
  readonly rows: ReadonlyMap<string, string>
}

export async function snapshotLedger(db: Queryable): Promise<LedgerSnapshot> {
  const { rows } = await db.query<{ key: string; value: string }>(
    `select 'entry:' || id as key, row(id, posted_at, source_document_uri, reverses_entry_id)::text as value from finance.journal_entries
     union all
     select 'line:' || entry_id || ':' || position, row(entry_id, position, account_code, direction, amount, currency)::text from finance.journal_lines`,
  )
  return { rows: new Map(rows.map((r) => [r.key, r.value])) }
}

export async function assertLedgerSound(db: Queryable, before: LedgerSnapshot): Promise<void> {
  assert.deepEqual(await unbalancedEntryIds(db), [], 'every entry balances in every currency')
  let debits = 0n
  let credits = 0n
  for (const row of await trialBalance(db)) {
    assert.equal(row.debits, row.credits, `the ledger balances in ${row.currency}`)
    debits += BigInt(row.debits)
    credits += BigInt(row.credits)
  }
  assert.equal(debits, credits, 'the ledger balances in total')
  const now = (await snapshotLedger(db)).rows
  const changed = [...before.rows].filter(([key, value]) => now.get(key) !== value).map(([key]) => key)
  assert.deepEqual(changed, [], 'no journal row was updated or deleted')
}
