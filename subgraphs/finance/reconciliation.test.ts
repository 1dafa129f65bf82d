import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { customer, execute, openSubgraphTestApp, staff, type SubgraphTestApp } from '../../platform/testing.ts'
import { ANONYMOUS } from '../../platform/viewer.ts'
import { buildWorld, type WorldOrder } from '../../seed/world.ts'
import { INJECTED_ERRORS, simulatedSettlementSource } from './provider/settlementFile.ts'
import { finance } from './subgraph.ts'
import { insertTransactions } from './store/transactionStore.ts'
import { assertLedgerSound, snapshotLedger, type LedgerSnapshot } from './testLedger.ts'

const world = buildWorld()
const authorizedUsd = world.orders.filter((o) => o.financialStatus === 'AUTHORIZED' && o.currency === 'USD') as WorldOrder[]
const [first, second] = authorizedUsd as [WorldOrder, WorldOrder]
const paymentOf = (order: WorldOrder) => `pay_${order.id.slice(4)}`
// a day after the seeded history and before today, whose file carries every kind of error
const ERROR_DAY = '2026-11-20'

const CAPTURE = `mutation($input: PaymentCaptureInput!) { paymentCapture(input: $input) { userErrors { code } } }`
const REFUND = `mutation($input: RefundCreateInput!) { refundCreate(input: $input) { userErrors { code } } }`
const IMPORT = `mutation($input: SettlementImportInput!) { settlementImport(input: $input) {
  fileId imported
  settlements { id gateway status gross { minorUnits currency } fees { minorUnits } net { minorUnits } }
  items { id kind status reason pspReference transaction { id } recorded { minorUnits } settled { minorUnits currency } }
  userErrors { code field message }
} }`
const RESOLVE = `mutation($input: ReconciliationItemResolveInput!) { reconciliationItemResolve(input: $input) {
  item { id status resolutionNote resolvedAt }
  userErrors { code field message }
} }`
const REPORT = `query($from: Date!, $to: Date!, $currency: CurrencyCode!) { reconciliationReport(from: $from, to: $to, currency: $currency) {
  from to currency ordersPlaced invoiceCount
  captured { minorUnits } refunded { minorUnits } settlementCount
  settledGross { minorUnits } settledFees { minorUnits } settledNet { minorUnits } feesPosted { minorUnits } difference { minorUnits }
  journal { accountCode debits { minorUnits } credits { minorUnits } }
  journalBalanced openItemCount ties
  items { id kind status reason settlementDate fileId }
} }`

type Item = { id: string; kind: string; status: string; reason: string; pspReference: string }

describe('settlement import and reconciliation', () => {
  let t: SubgraphTestApp
  let app: FastifyInstance
  let ledgerAtStart: LedgerSnapshot
  const today = new Date().toISOString().slice(0, 10)
  const count = async (table: string) => Number((await t.test.db.query<{ n: string }>(`select count(*) as n from finance.${table}`)).rows[0]?.n)
  const writes = () => Promise.all(['settlement_files', 'settlements', 'settlement_transactions', 'reconciliation_items', 'journal_entries'].map(count))
  const importDay = async (idempotencyKey: string, date: string) => (await execute(app, IMPORT, { input: { idempotencyKey, date } }, staff())).data?.['settlementImport']
  const report = async (from: string, to: string, currency = 'USD') => (await execute(app, REPORT, { from, to, currency }, staff())).data?.['reconciliationReport']
  const resolve = async (idempotencyKey: string, itemId: string, note: string) =>
    (await execute(app, RESOLVE, { input: { idempotencyKey, itemId, note } }, staff())).data?.['reconciliationItemResolve']

  before(async () => {
    t = await openSubgraphTestApp(finance, {
      deps: { settlementSource: simulatedSettlementSource({ seed: 'test', errorsOf: (date) => (date === ERROR_DAY ? INJECTED_ERRORS : []) }) },
    })
    app = t.app
    ledgerAtStart = await snapshotLedger(t.test.db)
  })
  after(() => t.close())

  it('refuses the report and both mutations to anonymous viewers (UNAUTHENTICATED) and customers (FORBIDDEN)', async () => {
    const requests: [string, Record<string, unknown>][] = [
      [REPORT, { from: today, to: today, currency: 'USD' }],
      [IMPORT, { input: { idempotencyKey: 'k', date: today } }],
      [RESOLVE, { input: { idempotencyKey: 'k', itemId: 'rci_x', note: 'n' } }],
    ]
    for (const [query, variables] of requests) {
      assert.equal((await execute(app, query, variables, ANONYMOUS)).errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED')
      assert.equal((await execute(app, query, variables, customer(first.customerId))).errors?.[0]?.extensions?.['code'], 'FORBIDDEN')
    }
    assert.equal(await count('settlement_files'), 0)
  })

  it('refuses a period that ends before it starts, and a date that is not a calendar day', async () => {
    const backwards = await execute(app, REPORT, { from: '2026-12-02', to: '2026-12-01', currency: 'USD' }, staff())
    assert.equal(backwards.errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
    const notADay = await execute(app, REPORT, { from: '2026-02-30', to: '2026-03-01', currency: 'USD' }, staff())
    assert.equal(notADay.errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
  })

  it('reconciles a day without injected errors clean: no item, a MATCHED payout, and a report that ties', async () => {
    for (const [i, order] of [first, second].entries()) {
      const { data } = await execute(app, CAPTURE, { input: { idempotencyKey: `cap-${i}`, paymentId: paymentOf(order), amount: { minorUnits: String(order.total), currency: 'USD' } } }, staff())
      assert.deepEqual(data?.['paymentCapture'].userErrors, [])
    }
    const refunded = await execute(app, REFUND, { input: { idempotencyKey: 'ref-1', orderId: first.id, amount: { minorUnits: '500', currency: 'USD' } } }, staff())
    assert.deepEqual(refunded.data?.['refundCreate'].userErrors, [])

    const imported = await importDay('import-today', today)
    assert.equal(imported.imported, true)
    assert.deepEqual(imported.userErrors, [])
    assert.deepEqual(imported.items, [])
    const gross = first.total + second.total - 500n
    assert.equal(imported.settlements.length, 1)
    assert.deepEqual(
      { ...imported.settlements[0], fees: undefined, net: undefined },
      { id: `stl_simulated_${today}_USD`, gateway: 'simulated', status: 'MATCHED', gross: { minorUnits: String(gross), currency: 'USD' }, fees: undefined, net: undefined },
    )

    const day = await report(today, today)
    assert.equal(day.captured.minorUnits, String(first.total + second.total))
    assert.equal(day.refunded.minorUnits, '500')
    assert.equal(day.settledGross.minorUnits, String(gross))
    assert.equal(day.difference.minorUnits, '0')
    assert.equal(day.feesPosted.minorUnits, day.settledFees.minorUnits)
    assert.equal(BigInt(day.settledNet.minorUnits), gross - BigInt(day.settledFees.minorUnits))
    assert.ok(BigInt(day.settledFees.minorUnits) > 0n)
    assert.deepEqual(day.journal.map((a: { accountCode: string }) => a.accountCode), ['1000', '1100', '2200', '4000', '6100'])
    assert.deepEqual([day.journalBalanced, day.openItemCount, day.items, day.ties], [true, 0, [], true])
    await assertLedgerSound(t.test.db, ledgerAtStart)
  })

  it('changes nothing when the same day is imported again, with another key or the same one', async () => {
    const before = await writes()
    const again = await importDay('import-today-again', today)
    assert.equal(again.imported, false)
    assert.equal(again.fileId, `sf_simulated_${today}`)
    assert.equal(again.settlements.length, 1)
    const replay = await importDay('import-today', today)
    assert.equal(replay.imported, true, 'the same key replays the first answer')
    assert.deepEqual(await writes(), before)
  })

  let items: Item[] = []

  it('records each injected error as exactly one OPEN item with its reason', async () => {
    const payment = paymentOf(authorizedUsd[2] as WorldOrder)
    // captures the simulated provider made that day (its references), recorded before the file arrives
    await insertTransactions(t.test.db, [1000n, 2000n, 3000n, 4000n, 5000n].map((amount, i) => ({
      id: `txn_errday_${i}`, paymentId: payment, refundId: null, kind: 'CAPTURE' as const, status: 'SUCCESS' as const, amount, currency: 'USD',
      pspReference: `psp_capt_${String(i).padStart(24, 'e')}`, parentTransactionId: null, idempotencyKey: null, createdAt: new Date(`${ERROR_DAY}T12:0${i}:00Z`),
    })))
    const imported = await importDay('import-error-day', ERROR_DAY)
    assert.equal(imported.imported, true)
    items = imported.items
    assert.deepEqual(items.map((i) => i.kind).sort(), ['AMOUNT_MISMATCH', 'CURRENCY_MISMATCH', 'DUPLICATE_LINE', 'MISSING_IN_LEDGER', 'MISSING_IN_SETTLEMENT'])
    assert.ok(items.every((i) => i.status === 'OPEN' && i.reason.includes(i.pspReference)))
    const byKind = Object.fromEntries(imported.items.map((i: Item & { transaction: { id: string } | null }) => [i.kind, i]))
    assert.equal(byKind['MISSING_IN_LEDGER'].transaction, null)
    assert.equal(byKind['MISSING_IN_SETTLEMENT'].settled, null)
    assert.equal(BigInt(byKind['AMOUNT_MISMATCH'].settled.minorUnits), BigInt(byKind['AMOUNT_MISMATCH'].recorded.minorUnits) - 100n)
    assert.equal(byKind['CURRENCY_MISMATCH'].settled.currency, 'EUR')
    assert.ok(imported.settlements.some((s: { status: string }) => s.status === 'DISCREPANCY'))

    const day = await report(ERROR_DAY, ERROR_DAY)
    assert.equal(day.ties, false)
    // the currency-mismatched line settles a USD transaction: its item is finance's currency's
    assert.deepEqual([day.openItemCount, day.items.length], [5, 5])
    assert.ok(day.items.every((i: { settlementDate: string; fileId: string }) => i.settlementDate === ERROR_DAY && i.fileId === `sf_simulated_${ERROR_DAY}`))
    assert.deepEqual((await report(ERROR_DAY, ERROR_DAY, 'EUR')).items, [])
  })

  it('resolves an open item with a note, and refuses a blank note, an unknown item and a second resolution', async () => {
    const item = items[0] as Item
    assert.deepEqual((await resolve('res-blank', item.id, '   ')).userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field]), [['NOTE_REQUIRED', ['input', 'note']]])
    assert.deepEqual((await resolve('res-none', 'rci_nope', 'checked')).userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field]), [['NOT_FOUND', ['input', 'itemId']]])
    const resolved = await resolve('res-1', item.id, 'Asked the provider to correct its file')
    assert.deepEqual(resolved.userErrors, [])
    assert.equal(resolved.item.status, 'RESOLVED')
    assert.equal(resolved.item.resolutionNote, 'Asked the provider to correct its file')
    assert.ok(resolved.item.resolvedAt)
    const twice = await resolve('res-2', item.id, 'again')
    assert.deepEqual(twice.userErrors.map((e: { code: string }) => e.code), ['ALREADY_RESOLVED'])
    assert.equal(twice.item, null)
    const replay = await resolve('res-1', item.id, 'Asked the provider to correct its file')
    assert.deepEqual(replay.userErrors, [], 'the same key replays the first answer')
    assert.equal((await report(ERROR_DAY, ERROR_DAY)).openItemCount, 4)
  })

  it('keeps the ledger balanced with no journal row changed', async () => {
    await assertLedgerSound(t.test.db, ledgerAtStart)
  })
})
