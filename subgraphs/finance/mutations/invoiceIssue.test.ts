import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { customer, execute, openSubgraphTestApp, staff, type SubgraphTestApp, type TestDatabase } from '../../../platform/testing.ts'
import { ANONYMOUS } from '../../../platform/viewer.ts'
import { buildWorld, type WorldOrder } from '../../../seed/world.ts'
import { finance } from '../subgraph.ts'
import { assertLedgerSound, snapshotLedger, type LedgerSnapshot } from '../testLedger.ts'
import { trialBalance, unbalancedEntryIds } from '../store/journalStore.ts'
import { insertOrderAccountLines, insertOrderAccounts } from '../store/orderAccountStore.ts'

const world = buildWorld()
const cancelled = world.orders.find((o) => o.status === 'CANCELLED') as WorldOrder
const invoicedCount = world.orders.filter((o) => o.status !== 'CANCELLED').length

const ISSUE = `mutation($input: InvoiceIssueInput!) { invoiceIssue(input: $input) {
  invoice { id number order { id } status issuedAt subtotal { minorUnits } taxTotal { minorUnits } total { minorUnits currency }
    lines { lineItem { id } description quantity unitPrice { minorUnits } taxLines { title rate amount { minorUnits } } total { minorUnits } } }
  userErrors { code field message }
} }`

describe('invoiceIssue', () => {
  let t: SubgraphTestApp
  let test: TestDatabase
  let app: FastifyInstance
  let ledgerAtStart: LedgerSnapshot
  const issue = (idempotencyKey: string, orderId: string) => execute(app, ISSUE, { input: { idempotencyKey, orderId } }, staff())
  const entries = async () => Number((await test.db.query<{ n: string }>('select count(*) as n from finance.journal_entries')).rows[0]?.n)
  before(async () => {
    t = await openSubgraphTestApp(finance)
    test = t.test
    app = t.app
    ledgerAtStart = await snapshotLedger(test.db)
    // an order placed after the seed, as the OrderPlaced consumer would record it: 2 x 12.50 + 8.25% tax
    await test.db.transaction(async (tx) => {
      await insertOrderAccounts(tx, [{ orderId: 'ord_new', customerId: 'c_1001', currency: 'USD', subtotal: '2500', taxTotal: '206', total: '2706', status: 'OPEN', placedAt: new Date() }])
      await insertOrderAccountLines(tx, [{ orderId: 'ord_new', position: 0, lineItemId: 'li_new_1', description: 'Classic Tee - M', quantity: 2,
        unitPrice: 1250n, taxLines: [{ title: 'Sales tax', rate: '0.0825', amount: '206' }], total: 2500n }])
    })
  })
  after(() => t.close())

  it('is refused to anonymous viewers and customers', async () => {
    const input = { idempotencyKey: 'k', orderId: 'ord_new' }
    assert.equal((await execute(app, ISSUE, { input }, ANONYMOUS)).errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED')
    assert.equal((await execute(app, ISSUE, { input }, customer('c_1001'))).errors?.[0]?.extensions?.['code'], 'FORBIDDEN')
  })

  it('returns the invoice an order already has, writing nothing', async () => {
    const before = await entries()
    const { data } = await issue('inv-existing', 'ord_0001')
    assert.equal(data?.['invoiceIssue'].invoice.id, 'inv_0001')
    assert.equal(data?.['invoiceIssue'].invoice.number, 'INV-2026-00001')
    assert.equal(await entries(), before)
  })

  let issuedId = ''
  it('issues the next numbered invoice from the order and posts the receivable', async () => {
    const before = await entries()
    const sent = Date.now()
    const { data, errors } = await issue('inv-new', 'ord_new')
    const answered = Date.now()
    assert.equal(errors, undefined)
    const invoice = data?.['invoiceIssue'].invoice
    issuedId = invoice.id
    assert.match(invoice.number, new RegExp(`^INV-${new Date().getUTCFullYear()}-${String(invoicedCount + 1).padStart(5, '0')}$`))
    assert.deepEqual({ ...invoice, id: undefined, number: undefined, issuedAt: undefined }, {
      id: undefined, number: undefined, issuedAt: undefined, order: { id: 'ord_new' }, status: 'ISSUED',
      subtotal: { minorUnits: '2500' }, taxTotal: { minorUnits: '206' }, total: { minorUnits: '2706', currency: 'USD' },
      lines: [{ lineItem: { id: 'li_new_1' }, description: 'Classic Tee - M', quantity: 2, unitPrice: { minorUnits: '1250' },
        taxLines: [{ title: 'Sales tax', rate: '0.0825', amount: { minorUnits: '206' } }], total: { minorUnits: '2500' } }],
    })
    const issuedAt = Date.parse(invoice.issuedAt)
    assert.ok(sent <= issuedAt && issuedAt <= answered, `issued at ${invoice.issuedAt}`)
    assert.equal(await entries(), before + 1)
    const { rows } = await test.db.query(
      `select l.account_code as "accountCode", l.direction, l.amount from finance.journal_lines l join finance.journal_entries e on e.id = l.entry_id
       where e.source_document_uri = $1 order by l.position`, [`gid://finance/Invoice/${issuedId}`])
    assert.deepEqual(rows, [
      { accountCode: '1100', direction: 'DEBIT', amount: '2706' },
      { accountCode: '4000', direction: 'CREDIT', amount: '2500' },
      { accountCode: '2200', direction: 'CREDIT', amount: '206' },
    ])
  })

  it('replays the same key, and answers another key with the same invoice', async () => {
    const before = await entries()
    assert.equal((await issue('inv-new', 'ord_new')).data?.['invoiceIssue'].invoice.id, issuedId)
    assert.equal((await issue('inv-new-again', 'ord_new')).data?.['invoiceIssue'].invoice.id, issuedId)
    assert.equal(await entries(), before)
    const reused = await issue('inv-new', 'ord_0002')
    assert.deepEqual(reused.data?.['invoiceIssue'].userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field]), [
      ['IDEMPOTENCY_KEY_REUSED', ['input', 'idempotencyKey']],
    ])
  })

  it('answers NOT_FOUND for an unknown order and ORDER_CANCELLED for a cancelled one', async () => {
    assert.deepEqual((await issue('inv-unknown', 'ord_9999')).data?.['invoiceIssue'], {
      invoice: null, userErrors: [{ code: 'NOT_FOUND', field: ['input', 'orderId'], message: 'No order ord_9999' }],
    })
    assert.deepEqual((await issue('inv-cancelled', cancelled.id)).data?.['invoiceIssue'], {
      invoice: null, userErrors: [{ code: 'ORDER_CANCELLED', field: ['input', 'orderId'], message: `Order ${cancelled.id} is cancelled` }],
    })
  })

  it('lets the customer see the new invoice on the order', async () => {
    const { data } = await execute(app, `query { _entities(representations: [{ __typename: "Order", id: "ord_new" }]) { ... on Order { invoices { id status } financialStatus } } }`, {}, customer('c_1001'))
    assert.deepEqual(data?.['_entities'], [{ invoices: [{ id: issuedId, status: 'ISSUED' }], financialStatus: 'PENDING' }])
  })

  it('leaves every entry and the whole ledger balanced per currency, with no journal row changed', async () => {
    assert.deepEqual(await unbalancedEntryIds(test.db), [])
    for (const row of await trialBalance(test.db)) assert.equal(row.debits, row.credits, row.currency)
    await assertLedgerSound(test.db, ledgerAtStart)
  })
})
