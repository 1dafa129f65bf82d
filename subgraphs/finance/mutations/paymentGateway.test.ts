import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { execute, openTestDatabase, readOutbox, staff, testConfig, type TestDatabase } from '../../../platform/testing.ts'
import { buildWorld, type WorldOrder } from '../../../seed/world.ts'
import { finance } from '../subgraph.ts'
import { assertLedgerSound, snapshotLedger, type LedgerSnapshot } from '../testLedger.ts'
import { ProviderTimeoutError, type FollowUpRequest, type PaymentProvider, type ProviderResult } from '../provider/paymentProvider.ts'

const world = buildWorld()
const authorized = world.orders.filter((o) => o.financialStatus === 'AUTHORIZED' && o.currency === 'USD') as [WorldOrder, WorldOrder, ...WorldOrder[]]
const paid = world.orders.find((o) => o.financialStatus === 'PAID' && o.currency === 'USD') as WorldOrder
const paymentOf = (order: WorldOrder) => `pay_${order.id.slice(4)}`

type Mode = 'success' | 'decline' | 'timeout'

/** A PSP whose next answers the test decides; it records every call. */
function scriptedProvider() {
  const calls: { operation: string; request: FollowUpRequest }[] = []
  let mode: Mode = 'success'
  let barrier: { waiting: number; size: number; release: () => void; released: Promise<void> } | null = null
  const answer = (operation: string) => async (request: FollowUpRequest): Promise<ProviderResult> => {
    calls.push({ operation, request })
    if (barrier && operation === 'capture') {
      const b = barrier
      if (++b.waiting === b.size) b.release()
      await b.released
    }
    if (mode === 'timeout') throw new ProviderTimeoutError(operation, request.idempotencyKey)
    if (mode === 'decline') return { outcome: 'declined', code: 'insufficient_funds', message: 'Insufficient funds', pspReference: null }
    return { outcome: 'success', pspReference: `psp_${operation}_${calls.length}` }
  }
  const provider: PaymentProvider = {
    name: 'scripted',
    authorize: async () => ({ outcome: 'success', pspReference: 'psp_auth_scripted' }),
    capture: answer('capture'),
    refund: answer('refund'),
    void: answer('void'),
  }
  return {
    provider,
    calls,
    set mode(next: Mode) { mode = next },
    /** Holds captures until `size` of them have reached the PSP (both passed our checks). */
    holdCaptures(size: number) {
      let release = () => {}
      const released = new Promise<void>((resolve) => { release = resolve })
      barrier = { waiting: 0, size, release, released }
    },
  }
}

const CAPTURE = `mutation($input: PaymentCaptureInput!) { paymentCapture(input: $input) {
  payment { id captured { minorUnits } transactions { kind pspReference idempotencyKey } } userErrors { code field message } } }`
const REFUND = `mutation($input: RefundCreateInput!) { refundCreate(input: $input) {
  refund { id amount { minorUnits } transactions { kind pspReference } } userErrors { code field message } } }`

describe('captures and refunds through the payment provider', () => {
  let test: TestDatabase
  let app: FastifyInstance
  let ledgerAtStart: LedgerSnapshot
  const psp = scriptedProvider()
  const capture = (idempotencyKey: string, order: WorldOrder, minorUnits: bigint) =>
    execute(app, CAPTURE, { input: { idempotencyKey, paymentId: paymentOf(order), amount: { minorUnits: String(minorUnits), currency: 'USD' } } }, staff())
  const refund = (idempotencyKey: string, order: WorldOrder, minorUnits: bigint, returnId?: string) =>
    execute(app, REFUND, { input: { idempotencyKey, orderId: order.id, amount: { minorUnits: String(minorUnits), currency: 'USD' }, ...(returnId ? { returnId } : {}) } }, staff())
  const counts = async () => (await test.db.query<Record<string, string>>(`select
    (select count(*) from finance.payment_transactions) as transactions, (select count(*) from finance.journal_entries) as entries,
    (select count(*) from finance.refunds) as refunds,
    (select sum(captured) from finance.payments) as captured, (select sum(refunded) from finance.payments) as refunded`)).rows[0]
  const writes = async () => ({ ...(await counts()), events: (await readOutbox(test.db, 'finance')).length })
  const eventsOf = async (type: string) =>
    (await readOutbox(test.db, 'finance', { type })).map(({ aggregateType, aggregateId, payload }) => ({ aggregateType, aggregateId, payload }))

  before(async () => {
    test = await openTestDatabase([finance])
    // one PSP call per request (no retries of the provider's own): each test scripts what the PSP answers
    app = await finance.buildApp({ config: { ...testConfig, paymentProviderRetries: 0 }, db: test.db, provider: psp.provider })
    ledgerAtStart = await snapshotLedger(test.db)
  })
  after(async () => {
    await app.close()
    await test.close()
  })

  it('answers GATEWAY_DECLINED for a capture the provider refuses, writing nothing', async () => {
    const before = await writes()
    psp.mode = 'decline'
    const { data } = await capture('cap-declined', authorized[0], 500n)
    assert.deepEqual(data?.['paymentCapture'], {
      payment: null,
      userErrors: [{ code: 'GATEWAY_DECLINED', field: ['input', 'paymentId'], message: 'The payment provider declined the capture: Insufficient funds (insufficient_funds)' }],
    })
    assert.deepEqual(await writes(), before)
    assert.deepEqual(psp.calls.at(-1)?.request.authorizationReference, `psp_auth_${authorized[0].id.slice(4)}`)
  })

  it('answers GATEWAY_TIMEOUT, then captures once on a retry with the same key, which reaches the provider with the same key', async () => {
    const before = await writes()
    psp.mode = 'timeout'
    const { data } = await capture('cap-slow', authorized[0], 500n)
    assert.deepEqual(data?.['paymentCapture'].userErrors, [{
      code: 'GATEWAY_TIMEOUT', field: ['input', 'paymentId'], message: 'The payment provider did not answer the capture in time; retry with the same idempotency key',
    }])
    assert.deepEqual(await writes(), before)
    psp.mode = 'success'
    const retried = await capture('cap-slow', authorized[0], 500n)
    assert.deepEqual(retried.data?.['paymentCapture'].userErrors, [])
    assert.equal(retried.data?.['paymentCapture'].payment.captured.minorUnits, '500')
    const [timedOut, succeeded] = psp.calls.slice(-2)
    assert.equal(succeeded?.request.idempotencyKey, timedOut?.request.idempotencyKey)
    assert.deepEqual(retried.data?.['paymentCapture'].payment.transactions.at(-1), { kind: 'CAPTURE', pspReference: `psp_capture_${psp.calls.length}`, idempotencyKey: 'cap-slow' })
    assert.deepEqual(await eventsOf('PaymentCaptured'), [{
      aggregateType: 'Payment', aggregateId: paymentOf(authorized[0]),
      payload: { orderId: authorized[0].id, paymentId: paymentOf(authorized[0]), amount: '500', currency: 'USD', capturedTotal: '500' },
    }])
  })

  it('does not ask the provider for a capture it must refuse anyway', async () => {
    const calls = psp.calls.length
    const { data } = await capture('cap-too-much', authorized[0], authorized[0].total)
    assert.equal(data?.['paymentCapture'].userErrors[0].code, 'AMOUNT_EXCEEDS_CAPTURABLE')
    assert.equal(psp.calls.length, calls)
  })

  it('gives back at the provider a capture that lost the race for the remainder', async () => {
    const order = authorized[1]
    psp.holdCaptures(2)
    const results = await Promise.all([capture('race-a', order, order.total), capture('race-b', order, order.total)])
    assert.deepEqual(results.map((r) => r.data?.['paymentCapture'].userErrors[0]?.code ?? 'OK').sort(), ['AMOUNT_EXCEEDS_CAPTURABLE', 'OK'])
    const compensations = psp.calls.filter((c) => c.operation === 'refund' && c.request.idempotencyKey.startsWith('compensate:'))
    assert.deepEqual(compensations.map((c) => [c.request.amount, c.request.authorizationReference]), [[order.total, `psp_auth_${order.id.slice(4)}`]])
    assert.equal((await eventsOf('PaymentCaptured')).length, 2)
  })

  it('answers GATEWAY_DECLINED and GATEWAY_TIMEOUT for refunds on ["input","orderId"], writing nothing', async () => {
    const before = await writes()
    for (const [mode, code] of [['decline', 'GATEWAY_DECLINED'], ['timeout', 'GATEWAY_TIMEOUT']] as const) {
      psp.mode = mode
      const { data } = await refund(`ref-${mode}`, paid, 100n)
      assert.deepEqual(data?.['refundCreate'].userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field]), [[code, ['input', 'orderId']]])
    }
    assert.deepEqual(await writes(), before)
    assert.deepEqual(psp.calls.at(-1)?.request.authorizationReference, `psp_auth_${paid.id.slice(4)}`)
  })

  it('refunds through the provider and announces RefundIssued', async () => {
    psp.mode = 'success'
    const { data } = await refund('ref-ok', paid, 250n, 'ret_0009')
    assert.deepEqual(data?.['refundCreate'].userErrors, [])
    const refundId = data?.['refundCreate'].refund.id
    assert.deepEqual(data?.['refundCreate'].refund.transactions, [{ kind: 'REFUND', pspReference: `psp_refund_${psp.calls.length}` }])
    assert.deepEqual(await eventsOf('RefundIssued'), [{
      aggregateType: 'Payment', aggregateId: paymentOf(paid),
      payload: { orderId: paid.id, paymentId: paymentOf(paid), refundId, returnId: 'ret_0009', amount: '250', currency: 'USD' },
    }])
  })

  it('leaves the ledger balanced per entry, per currency and in total, with no journal row changed', async () => {
    await assertLedgerSound(test.db, ledgerAtStart)
  })
})
