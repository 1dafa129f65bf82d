import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import type { Bus, ConsumerHandle } from '../../../platform/bus.ts'
import { startConsumer } from '../../../platform/consumer.ts'
import type { Database } from '../../../platform/db.ts'
import type { EventEnvelope } from '../../../platform/events.ts'
import { createInProcessBus } from '../../../platform/inProcessBus.ts'
import { openTestDatabase, type TestDatabase } from '../../../platform/testing.ts'
import { buildWorld } from '../../../seed/world.ts'
import type { OrderCancelled, OrderLinePayload, OrderPlaced, ReturnCreated } from '../../orders/events.ts'
import { bookDemand, dayOfInstant, demandStateOf, outlook, type DemandState } from '../demand.ts'
import { isoDateOf } from '../forecast/day.ts'
import { demandOf } from '../seed.ts'
import { demandByLevels } from '../store/demandStore.ts'
import { applyLevelChangesOrThrow } from '../store/levelChangeStore.ts'
import { inventory } from '../subgraph.ts'
import { orderEventsHandler } from './orderEvents.ts'

const world = buildWorld()
const EAST = 'loc_wh_east'
const seeded = new Set(demandOf(world).map((d) => `${d.sku}@${d.locationId}`))
// levels the demo store's orders never touched: their demand starts empty here
const fresh = world.stockLevels.filter((s) => s.locationId === EAST && !seeded.has(`${s.sku}@${s.locationId}`) && s.reserved === 0 && s.committed === 0)
const DAY = 86_400_000
const TODAY = dayOfInstant(new Date())
/** Noon UTC of `day`: far from midnight, so the UTC day is the one meant. */
const noonOf = (day: number) => new Date(day * DAY + 12 * 3600_000).toISOString()

const envelopeOf = <P extends { orderId: string }>(type: string, payload: P, occurredAt: string): EventEnvelope<P> => ({
  id: randomUUID(), type, source: 'orders', aggregateType: 'Order', aggregateId: payload.orderId, sequence: 1, occurredAt, traceContext: {}, payload,
})
const lineOf = (lineItemId: string, sku: string, quantity: number): OrderLinePayload => ({
  // an unknown reservation: the units come from AVAILABLE, as for a hold that lapsed
  lineItemId, sku, title: sku, quantity, unitPrice: '1000', taxLines: [], total: String(1000 * quantity), reservationId: `res_${lineItemId}`, locationId: EAST,
})
const placed = (orderId: string, lines: OrderLinePayload[], day: number): OrderPlaced => ({
  orderId, number: `#${orderId}`, customerId: 'c_1001', currency: 'USD', countryCode: 'US', placedAt: noonOf(day),
  paymentMethodToken: 'pm_test', subtotal: '0', taxTotal: '0', shippingTotal: '0', discountTotal: '0', total: '0', pricesIncludeTax: false, lines,
})
/** A weekly pattern with a little drift: what a weekday-heavy SKU sells. */
const unitsOn = (day: number) => [4, 6, 5, 7, 9, 3, 2][((day % 7) + 7) % 7]! + (day % 3 === 0 ? 1 : 0)

describe('demand booked from order events', () => {
  let test: TestDatabase
  let db: Database
  let bus: Bus
  let consumer: ConsumerHandle
  const problems: unknown[] = []

  before(async () => {
    test = await openTestDatabase([inventory])
    db = test.db
    bus = createInProcessBus()
    const logger = {
      level: 'silent', info() {}, debug() {}, trace() {}, silent() {},
      warn: (o: unknown) => problems.push(o), error: (o: unknown) => problems.push(o), fatal: (o: unknown) => problems.push(o), child: () => logger,
    }
    consumer = await startConsumer({ db, bus, schema: 'inventory', logger: logger as never, maxDeliveries: 2, backoffMs: () => 1 }, orderEventsHandler)
  })
  after(async () => {
    await consumer.stop()
    await bus.close()
    await test.close()
  })

  const deliver = async (envelope: EventEnvelope) => {
    await bus.publish(envelope)
    assert.deepEqual(problems.splice(0), [])
  }
  const stored = async (sku: string): Promise<DemandState | null> => {
    const [row] = await demandByLevels(db, [{ sku, locationId: EAST }])
    return row ? demandStateOf(row) : null
  }
  const stock = (sku: string, units: number) =>
    db.transaction((tx) => applyLevelChangesOrThrow(tx, { reason: 'RECEIVED', referenceDocumentUri: null, actor: null, changes: [{ sku, locationId: EAST, name: 'AVAILABLE', delta: units }] }))

  it('books four weeks of orders, a cancellation on its order\'s day and a restocked return, each once however often it arrives', async () => {
    const sku = fresh[0]!.sku
    await stock(sku, 1000)
    const first = TODAY - 28
    // the same history, booked by the pure function the consumer calls: what the row must hold
    let expected: DemandState | null = null
    for (let day = first; day < TODAY; day++) {
      const order = placed(`ord_d${day}`, [lineOf(`li_d${day}`, sku, unitsOn(day))], day)
      const envelope = envelopeOf('OrderPlaced', order, noonOf(day))
      await deliver(envelope)
      await deliver(envelope)
      // the same placement under another event id finds its order document applied
      await deliver(envelopeOf('OrderPlaced', order, noonOf(day)))
      expected = bookDemand(expected, [{ kind: 'ORDER', day, quantity: unitsOn(day) }], day)
    }
    const cancelledDay = TODAY - 10
    const cancellation: OrderCancelled = {
      orderId: `ord_d${cancelledDay}`, reason: 'CUSTOMER',
      lines: [{ lineItemId: `li_d${cancelledDay}`, sku, quantity: unitsOn(cancelledDay), reservationId: `res_li_d${cancelledDay}`, locationId: EAST }],
    }
    const cancelled = envelopeOf('OrderCancelled', cancellation, noonOf(TODAY))
    await deliver(cancelled)
    await deliver(cancelled)
    await deliver(envelopeOf('OrderCancelled', cancellation, noonOf(TODAY)))
    expected = bookDemand(expected, [{ kind: 'CANCELLATION', day: cancelledDay, quantity: unitsOn(cancelledDay) }], TODAY)
    const itemsBack: ReturnCreated = { orderId: `ord_d${first}`, returnId: 'ret_d1', restock: true, lines: [{ lineItemId: `li_d${first}`, sku, quantity: 2, locationId: EAST }] }
    const returned = envelopeOf('ReturnCreated', itemsBack, noonOf(TODAY))
    await deliver(returned)
    await deliver(returned)
    expected = bookDemand(expected, [{ kind: 'RETURN', day: TODAY, quantity: 2 }], TODAY)

    const state = await stored(sku)
    assert.ok(state)
    const days = Array.from({ length: 28 }, (_, i) => first + i)
    assert.equal(state.series.start, first)
    assert.deepEqual(state.series.values, [...days.map((day) => (day === cancelledDay ? 0 : unitsOn(day))), -2])
    assert.equal(state.lastObservedDay, TODAY)
    assert.deepEqual(state, JSON.parse(JSON.stringify(expected)))
    // four weeks of history: the choice ran over every candidate, Holt-Winters included
    assert.equal(state.model.through, TODAY - 1)
    assert.ok(state.model.kind !== 'NONE' && state.model.kind !== 'MEAN', state.model.kind)
    assert.ok(state.holdout && state.holdout.days >= 1)

    const forecast = outlook(state, TODAY, 14)
    assert.deepEqual(forecast.points.map((p) => p.day), Array.from({ length: 14 }, (_, i) => TODAY + i))
    for (const p of forecast.points) assert.ok(p.lower <= p.mean && p.mean <= p.upper, isoDateOf(p.day))
    // the weekly pattern carries into the forecast: the busiest weekday is forecast above the quietest
    const byWeekday = (slot: number) => forecast.points.find((p) => ((p.day % 7) + 7) % 7 === slot)!.mean
    assert.ok(byWeekday(4) > byWeekday(6) + 2, `${byWeekday(4)} vs ${byWeekday(6)}`)
  })

  it('books nothing for an order whose allocation failed, nor for a cancellation before placement', async () => {
    const sku = fresh[1]!.sku
    const level = fresh[1]!
    const tooMany = placed('ord_fail', [lineOf('li_fail', sku, level.available + 1)], TODAY)
    await deliver(envelopeOf('OrderPlaced', tooMany, noonOf(TODAY)))
    assert.equal(await stored(sku), null)
    const early: OrderCancelled = { orderId: 'ord_early', reason: 'CUSTOMER', lines: [{ lineItemId: 'li_early', sku, quantity: 1, reservationId: 'res_early', locationId: EAST }] }
    await deliver(envelopeOf('OrderCancelled', early, noonOf(TODAY)))
    assert.equal(await stored(sku), null)
  })

  it('starts a level\'s model on its first day of demand and carries it forward day by day', async () => {
    const sku = fresh[2]!.sku
    await stock(sku, 100)
    await deliver(envelopeOf('OrderPlaced', placed('ord_m1', [lineOf('li_m1', sku, 3)], TODAY - 2), noonOf(TODAY - 2)))
    const firstDay = await stored(sku)
    assert.equal(firstDay?.model.kind, 'NONE')
    assert.equal(firstDay?.model.through, TODAY - 3)
    await deliver(envelopeOf('OrderPlaced', placed('ord_m2', [lineOf('li_m2', sku, 5)], TODAY - 1), noonOf(TODAY - 1)))
    const secondDay = await stored(sku)
    // day TODAY - 2 is whole now: the model has folded it in, without refitting
    assert.equal(secondDay?.model.kind, 'MEAN')
    assert.equal(secondDay?.model.through, TODAY - 2)
    assert.equal(secondDay?.model.fittedThrough, TODAY - 3)
    assert.deepEqual(secondDay?.series.values, [3, 5])
  })
})
