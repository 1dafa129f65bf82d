import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import type { Bus, ConsumerHandle } from '../../../platform/bus.ts'
import { startConsumer } from '../../../platform/consumer.ts'
import type { EventEnvelope } from '../../../platform/events.ts'
import { createInProcessBus } from '../../../platform/inProcessBus.ts'
import { execute, openSubgraphTestApp, readOutbox, staff, testConfig, type SubgraphTestApp, type TestDatabase } from '../../../platform/testing.ts'
import { buildWorld, type WorldOrder } from '../../../seed/world.ts'
import type { OrderCancelled, OrderPlaced } from '../../orders/events.ts'
import { finance } from '../subgraph.ts'
import { assertLedgerSound, snapshotLedger, type LedgerSnapshot } from '../testLedger.ts'
import type { PaymentProvider } from '../provider/paymentProvider.ts'
import { createSimulatedProvider } from '../provider/simulatedProvider.ts'
import { orderEventsHandler } from './orderEvents.ts'

const world = buildWorld()
const usOrder = world.orders.find((o) => o.countryCode === 'US' && o.lineItems.length > 1) as WorldOrder
const deOrder = world.orders.find((o) => o.countryCode === 'DE' && o.lineItems.length > 1) as WorldOrder

/** OrderPlaced for a new order shaped like a world order: the seeded rates must tax it exactly as orders did. */
function orderPlaced(orderId: string, like: WorldOrder, paymentMethodToken: string): EventEnvelope<OrderPlaced> {
  return envelope('OrderPlaced', orderId, {
    orderId, number: `#${orderId}`, customerId: like.customerId, currency: like.currency, countryCode: like.countryCode,
    placedAt: '2026-10-02T10:00:00.000Z', paymentMethodToken, subtotal: String(like.subtotal), taxTotal: String(like.taxTotal),
    shippingTotal: '0', discountTotal: '0', total: String(like.total), pricesIncludeTax: like.currency === 'EUR',
    lines: like.lineItems.map((li, i) => ({
      lineItemId: `${orderId}_li_${i + 1}`, sku: li.sku, title: li.title, quantity: li.quantity, unitPrice: String(li.unitPrice),
      taxLines: li.taxLines.map((t) => ({ title: t.title, rate: t.rate, amount: String(t.amount) })), total: String(li.total),
      reservationId: `res_${orderId}_${i + 1}`, locationId: li.locationId,
    })),
  })
}

const orderCancelled = (orderId: string): EventEnvelope<OrderCancelled> =>
  envelope('OrderCancelled', orderId, { orderId, reason: 'customer request', lines: [] })

function envelope<P>(type: string, orderId: string, payload: P): EventEnvelope<P> {
  return {
    id: randomUUID(), type, source: 'orders', aggregateType: 'Order', aggregateId: orderId, sequence: 1, occurredAt: new Date().toISOString(),
    traceContext: {}, payload,
  }
}

/** The simulated provider, counting the calls that reach it. */
function countingProvider(): PaymentProvider & { calls: string[] } {
  const inner = createSimulatedProvider()
  const calls: string[] = []
  return {
    name: inner.name,
    calls,
    authorize: (r) => (calls.push(`authorize ${r.idempotencyKey}`), inner.authorize(r)),
    capture: (r) => (calls.push(`capture ${r.idempotencyKey}`), inner.capture(r)),
    refund: (r) => (calls.push(`refund ${r.idempotencyKey}`), inner.refund(r)),
    void: (r) => (calls.push(`void ${r.idempotencyKey}`), inner.void(r)),
  }
}

describe('finance.order-events', () => {
  let fixture: SubgraphTestApp
  let test: TestDatabase
  let app: FastifyInstance
  let bus: Bus
  let consumer: ConsumerHandle
  let ledgerAtStart: LedgerSnapshot
  const provider = countingProvider()
  const query = async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) => (await test.db.query<T>(sql, params)).rows
  const outboxOf = async (orderId: string) =>
    (await readOutbox(test.db, 'finance')).filter((e) => e.payload.orderId === orderId)
      .map(({ type, aggregateType, aggregateId, payload }) => ({ type, aggregateType, aggregateId, payload }))
  const paymentsOf = (orderId: string) =>
    query<{ id: string; gateway: string; authorized: string; captured: string; voided: boolean }>(
      `select id, gateway, authorized, captured, voided from finance.payments where order_id = $1`, [orderId])
  const transactionsOf = (orderId: string) =>
    query(`select t.kind, t.status, t.amount, t.psp_reference as "pspReference", t.idempotency_key as "idempotencyKey",
             t.parent_transaction_id as "parentTransactionId", t.id
           from finance.payment_transactions t join finance.payments p on p.id = t.payment_id where p.order_id = $1 order by t.created_at, t.id`, [orderId])
  const invoicesOf = (orderId: string) =>
    query<{ id: string; status: string; subtotal: string; taxTotal: string; total: string }>(
      `select id, status, subtotal, tax_total as "taxTotal", total from finance.invoices where order_id = $1`, [orderId])
  const entryLines = (where: string, param: string) =>
    query(`select l.account_code as "accountCode", l.direction, l.amount, l.currency from finance.journal_lines l
           join finance.journal_entries e on e.id = l.entry_id where ${where} order by e.posted_at, e.id, l.position`, [param])
  const invoiceEntryLines = (invoiceId: string) => entryLines('e.source_document_uri = $1', `gid://finance/Invoice/${invoiceId}`)

  before(async () => {
    fixture = await openSubgraphTestApp(finance, { deps: { provider } })
    ;({ test, app } = fixture)
    bus = createInProcessBus()
    consumer = await startConsumer(
      { db: test.db, bus, schema: 'finance', logger: app.log, maxDeliveries: 3, backoffMs: () => 5 },
      orderEventsHandler(test.db, provider),
    )
    ledgerAtStart = await snapshotLedger(test.db)
  })
  after(async () => {
    await consumer.stop()
    await bus.close()
    await fixture.close()
  })

  it('authorizes a US order, invoices it with sales tax added on top, and books the receivable', async () => {
    await bus.publish(orderPlaced('ord_evt_us', usOrder, 'tok_ok'))
    const [payment] = await paymentsOf('ord_evt_us')
    assert.deepEqual({ ...payment, id: undefined }, { id: undefined, gateway: 'simulated', authorized: String(usOrder.total), captured: '0', voided: false })
    const transactions = await transactionsOf('ord_evt_us')
    assert.deepEqual(transactions.map((t) => [t['kind'], t['status'], t['amount'], t['idempotencyKey']]), [['AUTHORIZATION', 'SUCCESS', String(usOrder.total), 'authorize:ord_evt_us']])
    assert.match(String(transactions[0]?.['pspReference']), /^psp_auth_/)
    const [invoice] = await invoicesOf('ord_evt_us')
    assert.deepEqual({ ...invoice, id: undefined }, {
      id: undefined, status: 'ISSUED', subtotal: String(usOrder.subtotal), taxTotal: String(usOrder.taxTotal), total: String(usOrder.total),
    })
    assert.equal(usOrder.total, usOrder.subtotal + usOrder.taxTotal)
    const { rows: lines } = await test.db.query<{ taxLines: { amount: string; rate: string }[] }>(
      `select tax_lines as "taxLines" from finance.invoice_lines where invoice_id = $1 order by position`, [invoice?.id])
    assert.deepEqual(lines.map((l) => l.taxLines.map((t) => [t.rate, t.amount])), usOrder.lineItems.map((li) => [['0.0825', String(li.taxLines[0]?.amount)]]))
    assert.deepEqual(await invoiceEntryLines(invoice?.id as string), [
      { accountCode: '1100', direction: 'DEBIT', amount: String(usOrder.total), currency: 'USD' },
      { accountCode: '4000', direction: 'CREDIT', amount: String(usOrder.subtotal), currency: 'USD' },
      { accountCode: '2200', direction: 'CREDIT', amount: String(usOrder.taxTotal), currency: 'USD' },
    ])
    assert.deepEqual(await outboxOf('ord_evt_us'), [{
      type: 'PaymentAuthorized', aggregateType: 'Payment', aggregateId: payment?.id,
      payload: { orderId: 'ord_evt_us', paymentId: payment?.id, amount: String(usOrder.total), currency: 'USD', invoiceId: invoice?.id },
    }])
  })

  it('invoices a DE order in EUR with the VAT contained in its prices', async () => {
    await bus.publish(orderPlaced('ord_evt_de', deOrder, 'tok_ok'))
    const [invoice] = await invoicesOf('ord_evt_de')
    assert.equal(deOrder.total, deOrder.subtotal)
    assert.ok(deOrder.taxTotal > 0n)
    assert.deepEqual({ ...invoice, id: undefined }, {
      id: undefined, status: 'ISSUED', subtotal: String(deOrder.subtotal), taxTotal: String(deOrder.taxTotal), total: String(deOrder.total),
    })
    assert.deepEqual(await invoiceEntryLines(invoice?.id as string), [
      { accountCode: '1100', direction: 'DEBIT', amount: String(deOrder.total), currency: 'EUR' },
      { accountCode: '4000', direction: 'CREDIT', amount: String(deOrder.total - deOrder.taxTotal), currency: 'EUR' },
      { accountCode: '2200', direction: 'CREDIT', amount: String(deOrder.taxTotal), currency: 'EUR' },
    ])
    assert.deepEqual((await outboxOf('ord_evt_de')).map((e) => [e['type'], (e['payload'] as { amount: string; currency: string }).amount, (e['payload'] as { currency: string }).currency]), [
      ['PaymentAuthorized', String(deOrder.total), 'EUR'],
    ])
  })

  it('records a declined card as a FAILURE authorization with no invoice and no entry, and announces PaymentDeclined', async () => {
    const entriesBefore = (await query<{ n: string }>(`select count(*) as n from finance.journal_entries`))[0]?.n
    await bus.publish(orderPlaced('ord_evt_declined', usOrder, 'tok_declined'))
    const [payment] = await paymentsOf('ord_evt_declined')
    assert.equal(payment?.authorized, '0')
    assert.deepEqual((await transactionsOf('ord_evt_declined')).map((t) => [t['kind'], t['status'], t['amount'], t['idempotencyKey']]), [
      ['AUTHORIZATION', 'FAILURE', String(usOrder.total), 'authorize:ord_evt_declined'],
    ])
    assert.deepEqual(await invoicesOf('ord_evt_declined'), [])
    assert.equal((await query<{ n: string }>(`select count(*) as n from finance.journal_entries`))[0]?.n, entriesBefore)
    assert.deepEqual(await outboxOf('ord_evt_declined'), [{
      type: 'PaymentDeclined', aggregateType: 'Payment', aggregateId: payment?.id,
      payload: { orderId: 'ord_evt_declined', paymentId: payment?.id, code: 'card_declined', reason: 'Payment declined: The card was declined' },
    }])
  })

  it('declines a token the provider does not know with unknown_token', async () => {
    await bus.publish(orderPlaced('ord_evt_unknown', usOrder, 'tok_stolen'))
    assert.deepEqual((await outboxOf('ord_evt_unknown')).map((e) => [e['type'], (e['payload'] as { code: string }).code]), [['PaymentDeclined', 'unknown_token']])
  })

  it('retries an authorization that timed out and authorizes exactly once', async () => {
    const event = orderPlaced('ord_evt_timeout', usOrder, 'tok_timeout')
    await bus.publish(event)
    assert.deepEqual(provider.calls.filter((c) => c === 'authorize authorize:ord_evt_timeout'), ['authorize authorize:ord_evt_timeout', 'authorize authorize:ord_evt_timeout'])
    assert.deepEqual((await transactionsOf('ord_evt_timeout')).map((t) => [t['kind'], t['status']]), [['AUTHORIZATION', 'SUCCESS']])
    assert.equal((await paymentsOf('ord_evt_timeout')).length, 1)
    assert.deepEqual((await outboxOf('ord_evt_timeout')).map((e) => e['type']), ['PaymentAuthorized'])
    assert.deepEqual(await query(`select event_id from finance.dead_letters`), [])
    assert.deepEqual(await query(`select 1 from finance.processed_events where consumer = 'finance.order-events' and event_id = $1`, [event.id]), [{ '?column?': 1 }])
  })

  it('changes nothing when the same OrderPlaced arrives again, under its id or a new one', async () => {
    const event = orderPlaced('ord_evt_twice', usOrder, 'tok_ok')
    await bus.publish(event)
    const state = async () => [await paymentsOf('ord_evt_twice'), await transactionsOf('ord_evt_twice'), await invoicesOf('ord_evt_twice'), await outboxOf('ord_evt_twice')]
    const once = await state()
    await bus.publish(event)
    await bus.publish({ ...event, id: randomUUID() })
    assert.deepEqual(await state(), once)
    assert.equal(once[0]?.length, 1)
  })

  it('voids an authorized order when it is cancelled: VOID transaction, invoice VOID, reversing entry, PaymentVoided', async () => {
    await bus.publish(orderPlaced('ord_evt_cancel', usOrder, 'tok_ok'))
    const [invoice] = await invoicesOf('ord_evt_cancel')
    const [payment] = await paymentsOf('ord_evt_cancel')
    await bus.publish(orderCancelled('ord_evt_cancel'))

    assert.equal((await paymentsOf('ord_evt_cancel'))[0]?.voided, true)
    const [authorization, voided] = await transactionsOf('ord_evt_cancel')
    assert.deepEqual([voided?.['kind'], voided?.['status'], voided?.['amount'], voided?.['parentTransactionId'], voided?.['idempotencyKey']], [
      'VOID', 'SUCCESS', String(usOrder.total), authorization?.['id'], `void:${payment?.id}`,
    ])
    assert.match(String(voided?.['pspReference']), /^psp_void_/)
    assert.equal((await invoicesOf('ord_evt_cancel'))[0]?.status, 'VOID')
    const [invoiceEntry] = await query<{ id: string }>(`select id from finance.journal_entries where source_document_uri = $1`, [`gid://finance/Invoice/${invoice?.id}`])
    const reversal = await query(`select reverses_entry_id as "reverses" from finance.journal_entries where source_document_uri = $1`,
      [`gid://finance/PaymentTransaction/${voided?.['id']}`])
    assert.deepEqual(reversal, [{ reverses: invoiceEntry?.id }])
    assert.deepEqual(await entryLines('e.reverses_entry_id = $1', invoiceEntry?.id as string), [
      { accountCode: '1100', direction: 'CREDIT', amount: String(usOrder.total), currency: 'USD' },
      { accountCode: '4000', direction: 'DEBIT', amount: String(usOrder.subtotal), currency: 'USD' },
      { accountCode: '2200', direction: 'DEBIT', amount: String(usOrder.taxTotal), currency: 'USD' },
    ])
    assert.deepEqual((await outboxOf('ord_evt_cancel')).map((e) => [e['type'], e['aggregateId'], e['payload']]), [
      ['PaymentAuthorized', payment?.id, { orderId: 'ord_evt_cancel', paymentId: payment?.id, amount: String(usOrder.total), currency: 'USD', invoiceId: invoice?.id }],
      ['PaymentVoided', payment?.id, { orderId: 'ord_evt_cancel', paymentId: payment?.id }],
    ])
    const { data } = await execute(app, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { financialStatus balanceDue { minorUnits } } } }`,
      { r: [{ __typename: 'Order', id: 'ord_evt_cancel', total: { minorUnits: String(usOrder.total), currency: 'USD', fractionDigits: 2 } }] }, staff())
    assert.deepEqual(data?.['_entities'], [{ financialStatus: 'VOIDED', balanceDue: { minorUnits: '0' } }])
  })

  it('changes nothing when the cancellation arrives again', async () => {
    const calls = provider.calls.length
    const state = async () => [await transactionsOf('ord_evt_cancel'), await invoicesOf('ord_evt_cancel'), await outboxOf('ord_evt_cancel'),
      await query(`select count(*) as n from finance.journal_entries`)]
    const once = await state()
    await bus.publish(orderCancelled('ord_evt_cancel'))
    assert.deepEqual(await state(), once)
    assert.equal(provider.calls.length, calls)
  })

  it('has nothing to undo for a declined order that is cancelled', async () => {
    const calls = provider.calls.length
    await bus.publish(orderCancelled('ord_evt_declined'))
    assert.equal(provider.calls.length, calls)
    assert.deepEqual((await transactionsOf('ord_evt_declined')).map((t) => t['kind']), ['AUTHORIZATION'])
    assert.deepEqual((await outboxOf('ord_evt_declined')).map((e) => e['type']), ['PaymentDeclined'])
    assert.deepEqual(await query(`select status from finance.order_accounts where order_id = 'ord_evt_declined'`), [{ status: 'CANCELLED' }])
  })

  it('runs the consumer and publishes its outbox when the app is given a bus', async () => {
    const appBus = createInProcessBus()
    const seen: EventEnvelope[] = []
    await appBus.consume({ name: 'test.finance-events', subjects: ['commerce.finance.>'], onDelivery: async (d) => { seen.push(d.event); await d.ack() } })
    const wired = await finance.buildApp({ config: testConfig, db: test.db, bus: appBus, provider })
    await wired.ready()
    try {
      await appBus.publish(orderPlaced('ord_evt_wired', deOrder, 'tok_ok'))
      await wired.relay?.flush()
      const ours = seen.filter((e) => (e.payload as { orderId: string }).orderId === 'ord_evt_wired')
      assert.deepEqual(ours.map((e) => [e.source, e.aggregateType, e.type]), [['finance', 'Payment', 'PaymentAuthorized']])
    } finally {
      await wired.close()
      await appBus.close()
    }
  })

  it('leaves the ledger balanced per entry, per currency and in total, with no journal row changed', async () => {
    await assertLedgerSound(test.db, ledgerAtStart)
  })
})
