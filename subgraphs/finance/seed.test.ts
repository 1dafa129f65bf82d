import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { openTestDatabase, staff, type TestDatabase } from '../../platform/testing.ts'
import { buildWorld } from '../../seed/world.ts'
import { finance } from './subgraph.ts'
import { paymentCapture } from './mutations/paymentCapture.ts'
import { createSimulatedProvider } from './provider/simulatedProvider.ts'
import { financeSeedOf } from './seedData.ts'

const seed = financeSeedOf(buildWorld())

describe('seedFinance', () => {
  let test: TestDatabase
  const counts = async () =>
    (await test.db.query<Record<string, string>>(`select
      (select count(*) from finance.order_accounts) as accounts, (select count(*) from finance.payments) as payments,
      (select count(*) from finance.payment_transactions) as transactions, (select count(*) from finance.invoices) as invoices,
      (select count(*) from finance.journal_entries) as entries, (select count(*) from finance.settlements) as settlements,
      (select sum(captured) from finance.payments) as captured`)).rows[0]
  before(async () => {
    test = await openTestDatabase([finance])
  })
  after(() => test.close())

  const seeded = {
    accounts: '80', payments: '80', transactions: String(seed.transactions.length), invoices: String(seed.invoices.length),
    entries: String(seed.journalEntries.length), settlements: '3', captured: String(seed.payments.reduce((s, p) => s + BigInt(p.captured), 0n)),
  }

  it('writes one payment per order, an invoice per order not cancelled, and their journal entries', async () => {
    assert.deepEqual(await counts(), seeded)
    assert.equal(seed.invoices.length, 76)
    assert.equal(seed.journalEntries.length, 76 + 66 + 3)
  })

  it('writes finance\'s own tax rates from the world, and keeps them through a seed without reset', async () => {
    const rates = async () => (await test.db.query(
      `select country_code as "countryCode", title, rate::text as rate, prices_include_tax as "pricesIncludeTax" from finance.tax_rates order by country_code`)).rows
    const expected = [...buildWorld().taxRates].sort((a, b) => a.countryCode.localeCompare(b.countryCode))
    assert.deepEqual(await rates(), expected)
    await finance.seed(test.db, { reset: false })
    assert.deepEqual(await rates(), expected)
  })

  it('does nothing without reset when the store has data', async () => {
    await finance.seed(test.db, { reset: false })
    assert.deepEqual(await counts(), seeded)
  })

  it('starts over with reset, append-only tables included', async () => {
    const outcome = await paymentCapture({ db: test.db, viewer: staff(), provider: createSimulatedProvider() }, { idempotencyKey: 'seed-test', paymentId: 'pay_0073', amount: { minorUnits: '100', currency: 'USD' } })
    assert.deepEqual(outcome.userErrors, [])
    assert.notDeepEqual(await counts(), seeded)
    await finance.seed(test.db, { reset: true })
    assert.deepEqual(await counts(), seeded)
    const { rows } = await test.db.query<{ next: string }>(`select nextval('finance.invoice_number_seq')::text as next`)
    assert.equal(rows[0]?.next, '77')
  })
})
