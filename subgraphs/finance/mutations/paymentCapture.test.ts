import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { requestHash } from '../../../platform/idempotency.ts'
import { customer, execute, openSubgraphTestApp, staff, type SubgraphTestApp, type TestDatabase } from '../../../platform/testing.ts'
import { ANONYMOUS } from '../../../platform/viewer.ts'
import { buildWorld, type WorldOrder } from '../../../seed/world.ts'
import { finance } from '../subgraph.ts'
import { assertLedgerSound, snapshotLedger, type LedgerSnapshot } from '../testLedger.ts'
import { trialBalance, unbalancedEntryIds } from '../store/journalStore.ts'

const world = buildWorld()
// an authorized, not yet captured USD order of c_1001
const order = world.orders.find((o) => o.customerId === 'c_1001' && o.financialStatus === 'AUTHORIZED') as WorldOrder
const paymentId = `pay_${order.id.slice(4)}`
const cancelled = world.orders.find((o) => o.financialStatus === 'VOIDED') as WorldOrder

const CAPTURE = `mutation($input: PaymentCaptureInput!) { paymentCapture(input: $input) {
  payment { id captured { minorUnits currency } transactions { kind amount { minorUnits } parentTransactionId idempotencyKey } }
  userErrors { code field message }
} }`
const ORDER = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { financialStatus balanceDue { minorUnits } invoices { status } } } }`

describe('paymentCapture', () => {
  let t: SubgraphTestApp
  let test: TestDatabase
  let app: FastifyInstance
  let ledgerAtStart: LedgerSnapshot
  const capture = (idempotencyKey: string, minorUnits: string, extra: Record<string, unknown> = {}) =>
    execute(app, CAPTURE, { input: { idempotencyKey, paymentId, amount: { minorUnits, currency: 'USD' }, ...extra } }, staff())
  const count = async (sql: string) => Number((await test.db.query<{ n: string }>(sql)).rows[0]?.n)
  const writes = () => Promise.all([count('select count(*) as n from finance.payment_transactions'), count('select count(*) as n from finance.journal_entries')])
  const orderState = async () =>
    (await execute(app, ORDER, { r: [{ __typename: 'Order', id: order.id, total: { minorUnits: String(order.total), currency: 'USD', fractionDigits: 2 } }] }, staff()))
      .data?.['_entities'][0]
  before(async () => {
    t = await openSubgraphTestApp(finance)
    test = t.test
    app = t.app
    ledgerAtStart = await snapshotLedger(test.db)
  })
  after(() => t.close())

  it('is refused to anonymous viewers and customers before anything runs', async () => {
    const input = { idempotencyKey: 'k', paymentId, amount: { minorUnits: '100', currency: 'USD' } }
    assert.equal((await execute(app, CAPTURE, { input }, ANONYMOUS)).errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED')
    assert.equal((await execute(app, CAPTURE, { input }, customer('c_1001'))).errors?.[0]?.extensions?.['code'], 'FORBIDDEN')
  })

  it('captures part of the authorization: a CAPTURE transaction under the authorization and the cash entry', async () => {
    const before = await writes()
    const { data, errors } = await capture('cap-1', '1000')
    assert.equal(errors, undefined)
    assert.deepEqual(data?.['paymentCapture'], {
      payment: {
        id: paymentId, captured: { minorUnits: '1000', currency: 'USD' },
        transactions: [
          { kind: 'AUTHORIZATION', amount: { minorUnits: String(order.total) }, parentTransactionId: null, idempotencyKey: null },
          { kind: 'CAPTURE', amount: { minorUnits: '1000' }, parentTransactionId: `txn_${order.id.slice(4)}_authorization`, idempotencyKey: 'cap-1' },
        ],
      },
      userErrors: [],
    })
    assert.deepEqual(await writes(), [before[0] + 1, before[1] + 1])
    const [{ id: transactionId }] = (await test.db.query<{ id: string }>(
      `select id from finance.payment_transactions where payment_id = $1 and kind = 'CAPTURE'`, [paymentId])).rows as [{ id: string }]
    const { rows } = await test.db.query(
      `select l.account_code as "accountCode", l.direction, l.amount from finance.journal_lines l join finance.journal_entries e on e.id = l.entry_id
       where e.source_document_uri = $1 order by l.position`, [`gid://finance/PaymentTransaction/${transactionId}`])
    assert.deepEqual(rows, [{ accountCode: '1000', direction: 'DEBIT', amount: '1000' }, { accountCode: '1100', direction: 'CREDIT', amount: '1000' }])
    assert.deepEqual(await orderState(), { financialStatus: 'PARTIALLY_PAID', balanceDue: { minorUnits: String(order.total - 1000n) }, invoices: [{ status: 'ISSUED' }] })
  })

  it('replays the same key and input without capturing again', async () => {
    const before = await writes()
    const { data } = await capture('cap-1', '1000')
    assert.equal(data?.['paymentCapture'].payment.captured.minorUnits, '1000')
    assert.deepEqual(data?.['paymentCapture'].userErrors, [])
    assert.deepEqual(await writes(), before)
  })

  it('answers IDEMPOTENCY_KEY_REUSED for the same key with another input', async () => {
    const { data } = await capture('cap-1', '2000')
    assert.deepEqual(data?.['paymentCapture'].payment, null)
    assert.deepEqual(data?.['paymentCapture'].userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field]), [
      ['IDEMPOTENCY_KEY_REUSED', ['input', 'idempotencyKey']],
    ])
  })

  it('answers IDEMPOTENCY_CONCURRENT_REQUEST while the first request with the key is still running', async () => {
    const input = { paymentId, amount: { minorUnits: '5', currency: 'USD' } }
    await test.db.query(
      `insert into finance.idempotency_keys (scope, key, operation, request_hash, state, locked_until)
       values ('staff_1', 'cap-running', 'paymentCapture', $1, 'in_flight', now() + interval '1 minute')`,
      [requestHash('paymentCapture', input)],
    )
    const { data } = await capture('cap-running', '5')
    assert.deepEqual(data?.['paymentCapture'], {
      payment: null,
      userErrors: [{ code: 'IDEMPOTENCY_CONCURRENT_REQUEST', field: ['input', 'idempotencyKey'], message: 'A request with this idempotency key is still running; retry later' }],
    })
  })

  it('refuses more than remains capturable, with the field path, writing nothing', async () => {
    const before = await writes()
    const remaining = order.total - 1000n
    const { data } = await capture('cap-2', String(remaining + 1n))
    assert.deepEqual(data?.['paymentCapture'], {
      payment: null,
      userErrors: [{ code: 'AMOUNT_EXCEEDS_CAPTURABLE', field: ['input', 'amount', 'minorUnits'], message: `At most ${remaining} can be captured on this payment` }],
    })
    assert.deepEqual(await writes(), before)
  })

  it('frees the key of a refused request so a corrected retry with it succeeds', async () => {
    const { data } = await capture('cap-2', String(order.total - 1000n + 1n))
    assert.equal(data?.['paymentCapture'].userErrors[0].code, 'AMOUNT_EXCEEDS_CAPTURABLE')
    const retried = await execute(app, CAPTURE, { input: { idempotencyKey: 'cap-2', paymentId, amount: { minorUnits: '1', currency: 'USD' } } }, staff())
    assert.deepEqual(retried.data?.['paymentCapture'].userErrors, [])
    assert.equal(retried.data?.['paymentCapture'].payment.captured.minorUnits, '1001')
  })

  it('refuses another currency, an unknown payment, a non-positive amount and a voided payment', async () => {
    const cases: [Record<string, unknown>, string, string[]][] = [
      [{ paymentId, amount: { minorUnits: '100', currency: 'EUR' } }, 'CURRENCY_MISMATCH', ['input', 'amount', 'currency']],
      [{ paymentId: 'pay_nope', amount: { minorUnits: '100', currency: 'USD' } }, 'NOT_FOUND', ['input', 'paymentId']],
      [{ paymentId, amount: { minorUnits: '0', currency: 'USD' } }, 'INVALID_AMOUNT', ['input', 'amount', 'minorUnits']],
      [{ paymentId, amount: { minorUnits: '9223372036854775807', currency: 'USD' } }, 'AMOUNT_EXCEEDS_CAPTURABLE', ['input', 'amount', 'minorUnits']],
      [{ paymentId: `pay_${cancelled.id.slice(4)}`, amount: { minorUnits: '100', currency: cancelled.currency } }, 'AMOUNT_EXCEEDS_CAPTURABLE', ['input', 'amount', 'minorUnits']],
    ]
    for (const [input, code, field] of cases) {
      const { data } = await execute(app, CAPTURE, { input: { idempotencyKey: `bad-${code}`, ...input } }, staff())
      assert.deepEqual(data?.['paymentCapture'].userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field]), [[code, field]])
    }
  })

  it('lets only one of two concurrent captures of the remainder through', async () => {
    const remaining = String(order.total - 1001n)
    const results = await Promise.all([capture('race-a', remaining), capture('race-b', remaining)])
    const codes = results.map((r) => r.data?.['paymentCapture'].userErrors[0]?.code ?? 'OK').sort()
    assert.deepEqual(codes, ['AMOUNT_EXCEEDS_CAPTURABLE', 'OK'])
    assert.deepEqual(await orderState(), { financialStatus: 'PAID', balanceDue: { minorUnits: '0' }, invoices: [{ status: 'PAID' }] })
  })

  it('leaves every entry and the whole ledger balanced per currency, with no journal row changed', async () => {
    assert.deepEqual(await unbalancedEntryIds(test.db), [])
    for (const row of await trialBalance(test.db)) assert.equal(row.debits, row.credits, row.currency)
    await assertLedgerSound(test.db, ledgerAtStart)
  })
})
