import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import type { Bus } from '../../../platform/bus.ts'
import type { EventEnvelope } from '../../../platform/events.ts'
import { createInProcessBus } from '../../../platform/inProcessBus.ts'
import { eventually, metricValue, openSubgraphTestApp, readOutbox, testConfig, type SubgraphTestApp } from '../../../platform/testing.ts'
import { buildWorld, type WorldOrder } from '../../../seed/world.ts'
import type { OrderPlaced } from '../../orders/events.ts'
import { kit } from '../kit.ts'
import { createSimulatedProvider } from '../provider/simulatedProvider.ts'
import { finance } from '../subgraph.ts'

const like = buildWorld().orders.find((o) => o.countryCode === 'US') as WorldOrder
const MAX_DELIVERIES = 3

function orderPlaced(orderId: string): EventEnvelope<OrderPlaced> {
  return {
    id: randomUUID(), type: 'OrderPlaced', source: 'orders', aggregateType: 'Order', aggregateId: orderId, sequence: 1,
    occurredAt: new Date().toISOString(), traceContext: {},
    payload: {
      orderId, number: `#${orderId}`, customerId: like.customerId, currency: like.currency, countryCode: like.countryCode,
      placedAt: new Date().toISOString(), paymentMethodToken: 'tok_ok', subtotal: String(like.subtotal), taxTotal: String(like.taxTotal),
      shippingTotal: '0', discountTotal: '0', total: String(like.total), pricesIncludeTax: false,
      lines: like.lineItems.map((li, i) => ({
        lineItemId: `${orderId}_li_${i + 1}`, sku: li.sku, title: li.title, quantity: li.quantity, unitPrice: String(li.unitPrice),
        taxLines: li.taxLines.map((t) => ({ title: t.title, rate: t.rate, amount: String(t.amount) })), total: String(li.total),
        reservationId: `res_${orderId}_${i + 1}`, locationId: li.locationId,
      })),
    },
  }
}

describe('an order placed while the payment provider is down', () => {
  let fixture: SubgraphTestApp
  let bus: Bus
  const sim = createSimulatedProvider()
  const query = async (sql: string, params: unknown[] = []) => (await fixture.test.db.query(sql, params)).rows
  const consumed = async (outcome: string) =>
    metricValue((await fixture.app.inject({ method: 'GET', url: '/metrics' })).body, 'events_consumed_total', { consumer: 'finance.order-events', outcome }) ?? 0

  before(async () => {
    bus = createInProcessBus()
    fixture = await openSubgraphTestApp(finance, {
      deps: {
        provider: sim,
        bus,
        config: { ...testConfig, paymentProviderTimeoutMs: 30, paymentProviderRetries: 2, circuitOpenMs: 150, eventMaxDeliveries: MAX_DELIVERIES },
      },
    })
  })
  after(async () => {
    await fixture.close()
    await bus.close()
  })

  it('waits for it without dead-lettering, and is authorized exactly once when it recovers', async () => {
    sim.faults.stall()
    // the in-process bus answers once the consumer acked: that is, once the order is authorized
    const delivered = bus.publish(orderPlaced('ord_outage'))
    // more deliveries than EVENT_MAX_DELIVERIES allows failures: they were deferred, not failed
    await eventually('deferred deliveries', async () => (await consumed('deferred')) > MAX_DELIVERIES)
    assert.equal(fixture.app.paymentProvider?.state() === 'closed', false)
    assert.ok((await consumed('retry')) < MAX_DELIVERIES - 1, 'at most the deliveries before the breaker opened failed')
    assert.deepEqual(await query(`select 1 from finance.payments where order_id = 'ord_outage'`), [])

    sim.faults.recover()
    await delivered
    assert.deepEqual(await query(`select event_id from finance.dead_letters`), [])
    assert.deepEqual(await query(
      `select t.kind, t.status, t.idempotency_key as "idempotencyKey", p.authorized from finance.payment_transactions t
       join finance.payments p on p.id = t.payment_id where p.order_id = 'ord_outage'`,
    ), [{ kind: 'AUTHORIZATION', status: 'SUCCESS', idempotencyKey: 'authorize:ord_outage', authorized: String(like.total) }])
    assert.deepEqual((await readOutbox(fixture.test.db, kit.name)).filter((e) => e.payload.orderId === 'ord_outage').map((e) => e.type), ['PaymentAuthorized'])
    assert.equal(await consumed('applied'), 1)
    assert.equal(await consumed('dead_lettered'), 0)

    // the outage was an incident, resolved by the probe that authorized the order
    await fixture.app.paymentIncidents?.settled()
    assert.deepEqual(await query(`select integration, status from finance.incidents`), [{ integration: 'payment-provider', status: 'RESOLVED' }])
    const metrics = (await fixture.app.inject({ method: 'GET', url: '/metrics' })).body
    assert.equal(metricValue(metrics, 'payment_provider_circuit_state', { state: 'closed' }), 1)
    assert.ok((metricValue(metrics, 'payment_provider_calls_total', { operation: 'authorize', outcome: 'timeout' }) ?? 0) >= 5)
    assert.equal(metricValue(metrics, 'payment_provider_calls_total', { operation: 'authorize', outcome: 'success' }), 1)
  })
})
