import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { customer, execute, openSubgraphTestApp, staff, type SubgraphTestApp, type TestDatabase } from '../../../platform/testing.ts'
import { ANONYMOUS } from '../../../platform/viewer.ts'
import { buildWorld, type WorldOrder } from '../../../seed/world.ts'
import { finance } from '../subgraph.ts'
import { assertLedgerSound, snapshotLedger, type LedgerSnapshot } from '../testLedger.ts'
import { trialBalance, unbalancedEntryIds } from '../store/journalStore.ts'

const world = buildWorld()
// paid orders: one in USD (tax on top), one in EUR (VAT included)
const usdOrder = world.orders.find((o) => o.customerId === 'c_1001' && o.financialStatus === 'PAID') as WorldOrder
const eurOrder = world.orders.find((o) => o.currency === 'EUR' && o.financialStatus === 'PAID') as WorldOrder
const authorizedOrder = world.orders.find((o) => o.financialStatus === 'AUTHORIZED') as WorldOrder
const share = (refunded: bigint, order: WorldOrder) => (refunded * order.taxTotal * 2n + order.total) / (2n * order.total)

const REFUND = `mutation($input: RefundCreateInput!) { refundCreate(input: $input) {
  refund { id order { id } return { id } amount { minorUnits currency fractionDigits } transactions { kind status amount { minorUnits } parentTransactionId idempotencyKey } }
  userErrors { code field message }
} }`
const ORDER = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order {
  financialStatus balanceDue { minorUnits } refunds { id amount { minorUnits } } invoices { status } payments { refunded { minorUnits } } } } }`

describe('refundCreate', () => {
  let t: SubgraphTestApp
  let test: TestDatabase
  let app: FastifyInstance
  let ledgerAtStart: LedgerSnapshot
  const refund = (idempotencyKey: string, order: WorldOrder, minorUnits: bigint | string, extra: Record<string, unknown> = {}) =>
    execute(app, REFUND, { input: { idempotencyKey, orderId: order.id, amount: { minorUnits: String(minorUnits), currency: order.currency }, ...extra } }, staff())
  const orderState = async (order: WorldOrder, who = staff()) =>
    (await execute(app, ORDER, { r: [{ __typename: 'Order', id: order.id, total: { minorUnits: String(order.total), currency: order.currency, fractionDigits: 2 } }] }, who))
      .data?.['_entities'][0]
  const entryLinesOf = async (refundId: string) =>
    (await test.db.query(
      `select l.account_code as "accountCode", l.direction, l.amount, e.reverses_entry_id as "reverses"
       from finance.journal_lines l join finance.journal_entries e on e.id = l.entry_id where e.source_document_uri = $1 order by l.position`,
      [`gid://finance/Refund/${refundId}`],
    )).rows
  const rowCount = async () => Number((await test.db.query<{ n: string }>(`select (select count(*) from finance.refunds) + (select count(*) from finance.journal_entries) as n`)).rows[0]?.n)
  before(async () => {
    t = await openSubgraphTestApp(finance)
    test = t.test
    app = t.app
    ledgerAtStart = await snapshotLedger(test.db)
  })
  after(() => t.close())

  it('is refused to anonymous viewers and customers', async () => {
    const input = { idempotencyKey: 'k', orderId: usdOrder.id, amount: { minorUnits: '100', currency: 'USD' } }
    assert.equal((await execute(app, REFUND, { input }, ANONYMOUS)).errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED')
    assert.equal((await execute(app, REFUND, { input }, customer(usdOrder.customerId))).errors?.[0]?.extensions?.['code'], 'FORBIDDEN')
  })

  let firstRefundId = ''
  it('refunds part of a capture with a REFUND transaction and a reversing entry split by the invoice tax ratio', async () => {
    const amount = 1999n
    const { data, errors } = await refund('ref-1', usdOrder, amount, { returnId: 'ret_0001', note: 'damaged' })
    assert.equal(errors, undefined)
    const payload = data?.['refundCreate']
    firstRefundId = payload.refund.id
    assert.deepEqual(payload, {
      refund: {
        id: firstRefundId, order: { id: usdOrder.id }, return: { id: 'ret_0001' }, amount: { minorUnits: '1999', currency: 'USD', fractionDigits: 2 },
        transactions: [{ kind: 'REFUND', status: 'SUCCESS', amount: { minorUnits: '1999' }, parentTransactionId: `txn_${usdOrder.id.slice(4)}_capture`, idempotencyKey: 'ref-1' }],
      },
      userErrors: [],
    })
    const tax = share(amount, usdOrder)
    assert.deepEqual(await entryLinesOf(firstRefundId), [
      { accountCode: '4000', direction: 'DEBIT', amount: String(amount - tax), reverses: `je_${usdOrder.id.slice(4)}_invoice` },
      { accountCode: '2200', direction: 'DEBIT', amount: String(tax), reverses: `je_${usdOrder.id.slice(4)}_invoice` },
      { accountCode: '1000', direction: 'CREDIT', amount: '1999', reverses: `je_${usdOrder.id.slice(4)}_invoice` },
    ])
    assert.deepEqual(await orderState(usdOrder, customer(usdOrder.customerId)), {
      financialStatus: 'PARTIALLY_REFUNDED', balanceDue: { minorUnits: '0' }, refunds: [{ id: firstRefundId, amount: { minorUnits: '1999' } }],
      invoices: [{ status: 'PAID' }], payments: [{ refunded: { minorUnits: '1999' } }],
    })
  })

  it('replays the same key and input, and refuses the key with another input', async () => {
    const before = await rowCount()
    const replay = await refund('ref-1', usdOrder, 1999n, { returnId: 'ret_0001', note: 'damaged' })
    assert.equal(replay.data?.['refundCreate'].refund.id, firstRefundId)
    assert.equal(await rowCount(), before)
    const reused = await refund('ref-1', usdOrder, 1998n)
    assert.deepEqual(reused.data?.['refundCreate'], {
      refund: null,
      userErrors: [{ code: 'IDEMPOTENCY_KEY_REUSED', field: ['input', 'idempotencyKey'], message: 'This idempotency key was used for another request' }],
    })
  })

  it('refuses more than was captured and not refunded, and refunds on an order with nothing captured', async () => {
    const before = await rowCount()
    const remaining = usdOrder.total - 1999n
    const over = await refund('ref-over', usdOrder, remaining + 1n)
    assert.deepEqual(over.data?.['refundCreate'], {
      refund: null,
      userErrors: [{ code: 'AMOUNT_EXCEEDS_REFUNDABLE', field: ['input', 'amount', 'minorUnits'], message: `At most ${remaining} can be refunded on this order` }],
    })
    const uncaptured = await refund('ref-uncaptured', authorizedOrder, 100n)
    assert.deepEqual(uncaptured.data?.['refundCreate'].userErrors.map((e: { code: string }) => e.code), ['AMOUNT_EXCEEDS_REFUNDABLE'])
    assert.equal(await rowCount(), before)
  })

  it('refuses an unknown order, another currency and a non-positive amount, with field paths', async () => {
    const cases: [Record<string, unknown>, string, string[]][] = [
      [{ orderId: 'ord_9999', amount: { minorUnits: '100', currency: 'USD' } }, 'NOT_FOUND', ['input', 'orderId']],
      [{ orderId: usdOrder.id, amount: { minorUnits: '100', currency: 'EUR' } }, 'CURRENCY_MISMATCH', ['input', 'amount', 'currency']],
      [{ orderId: usdOrder.id, amount: { minorUnits: '-5', currency: 'USD' } }, 'INVALID_AMOUNT', ['input', 'amount', 'minorUnits']],
    ]
    for (const [input, code, field] of cases) {
      const { data } = await execute(app, REFUND, { input: { idempotencyKey: `bad-${code}`, ...input } }, staff())
      assert.deepEqual(data?.['refundCreate'].userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field]), [[code, field]])
    }
  })

  it('refunding the rest makes the order REFUNDED, credits the invoice and reverses exactly the tax posted', async () => {
    const { data } = await refund('ref-2', usdOrder, usdOrder.total - 1999n)
    assert.deepEqual(data?.['refundCreate'].userErrors, [])
    const state = await orderState(usdOrder)
    assert.equal(state.financialStatus, 'REFUNDED')
    assert.deepEqual(state.invoices, [{ status: 'CREDITED' }])
    assert.equal(state.balanceDue.minorUnits, '0')
    const { rows } = await test.db.query<{ sum: string }>(
      `select sum(l.amount)::text as sum from finance.journal_lines l join finance.journal_entries e on e.id = l.entry_id
       join finance.refunds r on e.source_document_uri = 'gid://finance/Refund/' || r.id
       where r.order_id = $1 and l.account_code = '2200' and l.direction = 'DEBIT'`,
      [usdOrder.id],
    )
    assert.equal(rows[0]?.sum, String(usdOrder.taxTotal))
  })

  it('splits a refund of a VAT-inclusive EUR order by its tax ratio', async () => {
    const amount = 4321n
    const { data } = await refund('ref-eur', eurOrder, amount)
    const lines = await entryLinesOf(data?.['refundCreate'].refund.id)
    const tax = share(amount, eurOrder)
    assert.deepEqual(lines.map((l) => [l['accountCode'], l['direction'], l['amount']]), [
      ['4000', 'DEBIT', String(amount - tax)], ['2200', 'DEBIT', String(tax)], ['1000', 'CREDIT', String(amount)],
    ])
  })

  it('leaves every entry and the whole ledger balanced per currency, with no journal row changed', async () => {
    assert.deepEqual(await unbalancedEntryIds(test.db), [])
    const balances = await trialBalance(test.db)
    assert.deepEqual(balances.map((b) => b.currency), ['EUR', 'USD'])
    for (const row of balances) assert.equal(row.debits, row.credits, row.currency)
    await assertLedgerSound(test.db, ledgerAtStart)
  })
})
