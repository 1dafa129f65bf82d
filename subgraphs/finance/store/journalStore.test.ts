import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Database } from '../../../platform/db.ts'
import { openTestDatabase, type TestDatabase } from '../../../platform/testing.ts'
import { buildWorld } from '../../../seed/world.ts'
import { finance } from '../subgraph.ts'
import { captureLines } from '../ledger.ts'
import { journalEntriesByIds, postJournalEntries, trialBalance, unbalancedEntryIds } from './journalStore.ts'

const world = buildWorld()

describe('the ledger in the database', () => {
  let test: TestDatabase
  let db: Database
  before(async () => {
    test = await openTestDatabase([finance])
    db = test.db
  })
  after(() => test.close())

  it('holds a balanced seed: every entry, and all debits and credits per currency', async () => {
    assert.deepEqual(await unbalancedEntryIds(db), [])
    // receivables of invoiced orders plus cash of captured ones, per currency
    const debitsOf = (currency: string) =>
      world.orders.filter((o) => o.currency === currency && o.financialStatus !== 'VOIDED')
        .reduce((sum, o) => sum + o.total + (o.financialStatus === 'PAID' ? o.total : 0n), 0n)
    const balances = await trialBalance(db)
    const { rows: fees } = await db.query<{ currency: string; fees: string }>(`select currency, sum(fees)::text as fees from finance.settlements group by currency`)
    const feesOf = (currency: string) => BigInt(fees.find((f) => f.currency === currency)?.fees ?? 0)
    assert.deepEqual(balances, ['EUR', 'USD'].map((currency) => {
      const debits = String(debitsOf(currency) + feesOf(currency))
      return { currency, debits, credits: debits }
    }))
  })

  it('refuses to update or delete journal entries, journal lines and payment transactions', async () => {
    const statements = [
      `update finance.journal_entries set source_document_uri = 'gid://x/y/1' where id = 'je_0001_invoice'`,
      `delete from finance.journal_entries where id = 'je_0001_invoice'`,
      `update finance.journal_lines set amount = amount + 1 where entry_id = 'je_0001_invoice'`,
      `delete from finance.journal_lines where entry_id = 'je_0001_invoice'`,
      `update finance.payment_transactions set amount = 1 where id = 'txn_0001_capture'`,
      `delete from finance.payment_transactions where id = 'txn_0001_capture'`,
    ]
    for (const sql of statements) await assert.rejects(db.query(sql), /is append-only/, sql)
    assert.equal((await journalEntriesByIds(db, ['je_0001_invoice'])).length, 1)
  })

  it('rejects an unbalanced entry when the transaction commits, and keeps none of it', async () => {
    await assert.rejects(
      db.transaction(async (tx) => {
        await postJournalEntries(tx, [{
          id: 'je_test_unbalanced', postedAt: null, sourceDocumentUri: 'gid://test/Unbalanced/1', reversesEntryId: null,
          lines: [{ accountCode: '1000', direction: 'DEBIT', amount: 100n, currency: 'USD' }, { accountCode: '4000', direction: 'CREDIT', amount: 99n, currency: 'USD' }],
        }])
        // the check is deferred: inside the transaction the insert went through
        const { rowCount } = await tx.query(`select 1 from finance.journal_entries where id = 'je_test_unbalanced'`)
        assert.equal(rowCount, 1)
      }),
      /unbalanced in USD/,
    )
    assert.deepEqual(await journalEntriesByIds(db, ['je_test_unbalanced']), [])
  })

  it('rejects an entry balanced in total but not per currency', async () => {
    await assert.rejects(
      postJournalEntries(db, [{
        id: 'je_test_mixed', postedAt: null, sourceDocumentUri: 'gid://test/Mixed/1', reversesEntryId: null,
        lines: [{ accountCode: '1000', direction: 'DEBIT', amount: 100n, currency: 'USD' }, { accountCode: '4000', direction: 'CREDIT', amount: 100n, currency: 'EUR' }],
      }]),
      /unbalanced/,
    )
  })

  it('rejects an entry without lines, and lines that are not positive', async () => {
    await assert.rejects(
      db.transaction((tx) => tx.query(`insert into finance.journal_entries (id, source_document_uri) values ('je_test_empty', 'gid://test/Empty/1')`)),
      /has no lines/,
    )
    await assert.rejects(
      postJournalEntries(db, [{ id: 'je_test_zero', postedAt: null, sourceDocumentUri: 'gid://test/Zero/1', reversesEntryId: null,
        lines: [{ accountCode: '1000', direction: 'DEBIT', amount: 0n, currency: 'USD' }, { accountCode: '1100', direction: 'CREDIT', amount: 0n, currency: 'USD' }] }]),
      /check constraint/,
    )
  })

  it('accepts a balanced entry whose lines come after it in the same transaction', async () => {
    await db.transaction(async (tx) => {
      await tx.query(`insert into finance.journal_entries (id, source_document_uri) values ('je_test_ok', 'gid://test/Ok/1')`)
      await tx.query(
        `insert into finance.journal_lines (entry_id, position, account_code, direction, amount, currency)
         select 'je_test_ok', p, a, d, 250, 'EUR' from unnest(array[0, 1], array['1000', '1100'], array['DEBIT', 'CREDIT']) as l (p, a, d)`,
      )
    })
    await postJournalEntries(db, [{ id: 'je_test_ok_2', postedAt: null, sourceDocumentUri: 'gid://test/Ok/2', reversesEntryId: null, lines: captureLines(75n, 'USD') }])
    assert.equal((await journalEntriesByIds(db, ['je_test_ok', 'je_test_ok_2'])).length, 2)
    assert.deepEqual(await unbalancedEntryIds(db), [])
  })
})
