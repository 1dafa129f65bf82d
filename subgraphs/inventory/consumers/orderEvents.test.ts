import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import type { FastifyBaseLogger } from 'fastify'
import type { Bus, ConsumerHandle } from '../../../platform/bus.ts'
import { startConsumer } from '../../../platform/consumer.ts'
import type { Database } from '../../../platform/db.ts'
import type { EventEnvelope } from '../../../platform/events.ts'
import { createInProcessBus } from '../../../platform/inProcessBus.ts'
import { execute, openTestDatabase, outboxPosition, readOutbox, staff, testConfig, type TestDatabase } from '../../../platform/testing.ts'
import { buildWorld, type WorldStockLevel } from '../../../seed/world.ts'
import type { FulfillmentCreated, OrderCancelled, OrderLinePayload, OrderPlaced, ReturnCreated } from '../../orders/events.ts'
import { reserve } from '../mutations/reserve.ts'
import { allocationsByLineItemIds } from '../store/allocationStore.ts'
import { applyLevelChanges } from '../store/levelChangeStore.ts'
import { lockLevels } from '../store/levelStore.ts'
import { expireReservations, reservationsByIds } from '../store/reservationStore.ts'
import { inventory } from '../subgraph.ts'
import { orderEventsHandler } from './orderEvents.ts'

const world = buildWorld()
const EAST = 'loc_wh_east'
// levels only these tests touch: plenty AVAILABLE, nothing reserved or committed
const plain = world.stockLevels.filter((s) => s.locationId === EAST && s.available >= 20 && s.reserved === 0 && s.committed === 0)
let next = 0
const takeLevel = () => {
  const level = plain[next++]
  if (!level) throw new Error('the world ran out of plain levels')
  return level
}
const onHandOf = (s: WorldStockLevel) => s.available + s.committed + s.reserved + s.damaged + s.safetyStock + s.qualityControl

const envelopeOf = <P extends { orderId: string }>(type: string, payload: P): EventEnvelope<P> => ({
  id: randomUUID(), type, source: 'orders', aggregateType: 'Order', aggregateId: payload.orderId, sequence: 1,
  occurredAt: new Date().toISOString(), traceContext: {}, payload,
})
const lineOf = (lineItemId: string, level: WorldStockLevel, quantity: number, reservationId: string): OrderLinePayload => ({
  lineItemId, sku: level.sku, title: level.sku, quantity, unitPrice: '1000', taxLines: [], total: String(1000 * quantity), reservationId, locationId: level.locationId,
})
const placed = (orderId: string, lines: OrderLinePayload[]): OrderPlaced => ({
  orderId, number: `#${orderId}`, customerId: 'c_1001', currency: 'USD', countryCode: 'US', placedAt: new Date().toISOString(),
  paymentMethodToken: 'pm_test', subtotal: '0', taxTotal: '0', shippingTotal: '0', discountTotal: '0', total: '0', pricesIncludeTax: false, lines,
})
const cancelled = (orderId: string, lines: OrderLinePayload[]): OrderCancelled => ({
  orderId, reason: 'CUSTOMER', lines: lines.map(({ lineItemId, sku, quantity, reservationId, locationId }) => ({ lineItemId, sku, quantity, reservationId, locationId })),
})

/** Records the consumer's warnings and errors: a handler that threw shows up here. */
const recordingLogger = (problems: string[]): FastifyBaseLogger => {
  const logger = {
    level: 'silent', info() {}, debug() {}, trace() {}, silent() {},
    warn: (o: { err?: Error }) => problems.push(String(o.err?.message)), error: (o: { err?: Error }) => problems.push(String(o.err?.message)),
    fatal: (o: { err?: Error }) => problems.push(String(o.err?.message)), child: () => logger,
  }
  return logger as unknown as FastifyBaseLogger
}

describe('inventory.order-events', () => {
  let test: TestDatabase
  let db: Database
  let bus: Bus
  let consumer: ConsumerHandle
  const problems: string[] = []
  before(async () => {
    test = await openTestDatabase([inventory])
    db = test.db
    bus = createInProcessBus()
    consumer = await startConsumer({ db, bus, schema: 'inventory', logger: recordingLogger(problems), maxDeliveries: 2, backoffMs: () => 1 }, orderEventsHandler)
  })
  after(async () => {
    await consumer.stop()
    await bus.close()
    await test.close()
  })

  /** Publishes an envelope and checks the handler neither failed nor was dead-lettered. */
  const deliver = async (envelope: EventEnvelope) => {
    await bus.publish(envelope)
    assert.deepEqual(problems.splice(0), [])
  }
  /** Publishes the same envelope twice, the way an at-least-once bus may deliver it. */
  const deliverTwice = async (envelope: EventEnvelope) => {
    await deliver(envelope)
    await deliver(envelope)
    const processed = await db.query(`select 1 from inventory.processed_events where consumer = 'inventory.order-events' and event_id = $1`, [envelope.id])
    assert.equal(processed.rowCount, 1)
  }
  const hold = async (lines: { level: WorldStockLevel; quantity: number }[]) => {
    const payload = await db.transaction((tx) =>
      reserve(tx, { idempotencyKey: randomUUID(), referenceDocumentUri: 'gid://orders/Checkout/t', ttlSeconds: 600, lines: lines.map(({ level, quantity }) => ({ sku: level.sku, quantity, locationId: level.locationId })) }, { actor: null, defaultTtlSeconds: 600 }),
    )
    assert.deepEqual(payload.userErrors, [])
    return payload.reservationIds as string[]
  }
  const expire = async (reservationId: string) => {
    await db.query(`update inventory.reservations set expires_at = now() - interval '1 second' where id = $1`, [reservationId])
    await expireReservations(db, new Date())
  }
  const quantities = async (level: WorldStockLevel) => {
    const [row] = await lockLevels(db, [level])
    const q = row?.quantities
    if (!q) throw new Error(`no level ${level.sku}`)
    return { AVAILABLE: q.AVAILABLE, COMMITTED: q.COMMITTED, RESERVED: q.RESERVED, ON_HAND: q.AVAILABLE + q.COMMITTED + q.RESERVED + q.DAMAGED + q.SAFETY_STOCK + q.QUALITY_CONTROL }
  }
  const statuses = async (ids: string[]) => (await reservationsByIds(db, ids)).sort((x, y) => ids.indexOf(x.id) - ids.indexOf(y.id)).map((r) => r.status)
  const eventsSince = async (mark: bigint) =>
    (await readOutbox(db, 'inventory', { afterPosition: mark })).map((e) =>
      e.type === 'StockLevelChanged'
        ? [e.type, e.aggregateId, e.payload.reason, e.payload.referenceDocumentUri, e.payload.changes]
        : [e.type, e.aggregateType, e.aggregateId, e.payload],
    )

  it('turns each line\'s reservation into COMMITTED stock and allocates it, once however often OrderPlaced arrives', async () => {
    const [a, b] = [takeLevel(), takeLevel()]
    const [ra, rb] = (await hold([{ level: a, quantity: 3 }, { level: b, quantity: 2 }])) as [string, string]
    const order = placed('ord_t1', [lineOf('li_t1_1', a, 3, ra), lineOf('li_t1_2', b, 2, rb)])
    const mark = await outboxPosition(db, 'inventory')
    await deliverTwice(envelopeOf('OrderPlaced', order))
    // the same fact under another event id finds its order document applied
    await deliver(envelopeOf('OrderPlaced', order))

    assert.deepEqual(await quantities(a), { AVAILABLE: a.available - 3, COMMITTED: 3, RESERVED: 0, ON_HAND: onHandOf(a) })
    assert.deepEqual(await quantities(b), { AVAILABLE: b.available - 2, COMMITTED: 2, RESERVED: 0, ON_HAND: onHandOf(b) })
    assert.deepEqual(await statuses([ra, rb]), ['CONSUMED', 'CONSUMED'])
    assert.deepEqual(await allocationsByLineItemIds(db, ['li_t1_1', 'li_t1_2']), [
      { lineItemId: 'li_t1_1', sku: a.sku, locationId: EAST, quantity: 3 },
      { lineItemId: 'li_t1_2', sku: b.sku, locationId: EAST, quantity: 2 },
    ])
    assert.deepEqual((await eventsSince(mark)).sort(), [
      ['StockLevelChanged', `${a.sku}@${EAST}`, 'ORDER_PLACED', 'gid://orders/Order/ord_t1', [{ name: 'COMMITTED', before: 0, after: 3 }, { name: 'RESERVED', before: 3, after: 0 }]],
      ['StockLevelChanged', `${b.sku}@${EAST}`, 'ORDER_PLACED', 'gid://orders/Order/ord_t1', [{ name: 'COMMITTED', before: 0, after: 2 }, { name: 'RESERVED', before: 2, after: 0 }]],
    ].sort())
  })

  it('commits from AVAILABLE when the reservation expired before OrderPlaced arrived and AVAILABLE covers it', async () => {
    const a = takeLevel()
    const [ra] = (await hold([{ level: a, quantity: 2 }])) as [string]
    await expire(ra)
    const mark = await outboxPosition(db, 'inventory')
    await deliverTwice(envelopeOf('OrderPlaced', placed('ord_t2', [lineOf('li_t2_1', a, 2, ra)])))
    assert.deepEqual(await quantities(a), { AVAILABLE: a.available - 2, COMMITTED: 2, RESERVED: 0, ON_HAND: onHandOf(a) })
    assert.deepEqual(await statuses([ra]), ['EXPIRED'])
    assert.deepEqual(await allocationsByLineItemIds(db, ['li_t2_1']), [{ lineItemId: 'li_t2_1', sku: a.sku, locationId: EAST, quantity: 2 }])
    assert.deepEqual(await eventsSince(mark), [
      ['StockLevelChanged', `${a.sku}@${EAST}`, 'ORDER_PLACED', 'gid://orders/Order/ord_t2', [{ name: 'AVAILABLE', before: a.available, after: a.available - 2 }, { name: 'COMMITTED', before: 0, after: 2 }]],
    ])
  })

  it('commits nothing of the order, releases its holds and appends AllocationFailed when AVAILABLE cannot cover a lapsed line', async () => {
    const [a, b] = [takeLevel(), takeLevel()]
    const [ra] = (await hold([{ level: a, quantity: 3 }])) as [string]
    await expire(ra)
    await db.transaction((tx) => applyLevelChanges(tx, { reason: 'SHRINKAGE', referenceDocumentUri: null, actor: null, changes: [{ sku: a.sku, locationId: EAST, name: 'AVAILABLE', delta: 1 - a.available }] }))
    const [rb] = (await hold([{ level: b, quantity: 2 }])) as [string]
    const mark = await outboxPosition(db, 'inventory')
    await deliverTwice(envelopeOf('OrderPlaced', placed('ord_t3', [lineOf('li_t3_1', a, 3, ra), lineOf('li_t3_2', b, 2, rb)])))

    assert.deepEqual(await quantities(a), { AVAILABLE: 1, COMMITTED: 0, RESERVED: 0, ON_HAND: onHandOf(a) - a.available + 1 })
    assert.deepEqual(await quantities(b), { AVAILABLE: b.available, COMMITTED: 0, RESERVED: 0, ON_HAND: onHandOf(b) })
    assert.deepEqual(await statuses([ra, rb]), ['EXPIRED', 'RELEASED'])
    assert.deepEqual(await allocationsByLineItemIds(db, ['li_t3_1', 'li_t3_2']), [])
    assert.deepEqual(await eventsSince(mark), [
      ['StockLevelChanged', `${b.sku}@${EAST}`, 'RESERVATION', 'gid://orders/Order/ord_t3', [{ name: 'AVAILABLE', before: b.available - 2, after: b.available }, { name: 'RESERVED', before: 2, after: 0 }]],
      ['AllocationFailed', 'Order', 'ord_t3', { orderId: 'ord_t3', lines: [{ lineItemId: 'li_t3_1', sku: a.sku, quantity: 3 }], reason: 'INSUFFICIENT_AVAILABLE' }],
    ])
  })

  it('returns a placed order\'s committed units to AVAILABLE when it is cancelled, once', async () => {
    const a = takeLevel()
    const [ra] = (await hold([{ level: a, quantity: 4 }])) as [string]
    const lines = [lineOf('li_t4_1', a, 4, ra)]
    await deliverTwice(envelopeOf('OrderPlaced', placed('ord_t4', lines)))
    const mark = await outboxPosition(db, 'inventory')
    await deliverTwice(envelopeOf('OrderCancelled', cancelled('ord_t4', lines)))
    await deliver(envelopeOf('OrderCancelled', cancelled('ord_t4', lines)))

    assert.deepEqual(await quantities(a), { AVAILABLE: a.available, COMMITTED: 0, RESERVED: 0, ON_HAND: onHandOf(a) })
    assert.deepEqual(await allocationsByLineItemIds(db, ['li_t4_1']), [])
    assert.deepEqual(await eventsSince(mark), [
      ['StockLevelChanged', `${a.sku}@${EAST}`, 'ORDER_CANCELLED', 'gid://orders/Order/ord_t4', [{ name: 'AVAILABLE', before: a.available - 4, after: a.available }, { name: 'COMMITTED', before: 4, after: 0 }]],
    ])
  })

  it('releases the hold of an order cancelled before its OrderPlaced was applied, and then commits nothing for it', async () => {
    const a = takeLevel()
    const [ra] = (await hold([{ level: a, quantity: 2 }])) as [string]
    const lines = [lineOf('li_t5_1', a, 2, ra)]
    await deliverTwice(envelopeOf('OrderCancelled', cancelled('ord_t5', lines)))
    assert.deepEqual(await statuses([ra]), ['RELEASED'])
    assert.deepEqual(await quantities(a), { AVAILABLE: a.available, COMMITTED: 0, RESERVED: 0, ON_HAND: onHandOf(a) })
    const mark = await outboxPosition(db, 'inventory')
    await deliverTwice(envelopeOf('OrderPlaced', placed('ord_t5', lines)))
    assert.deepEqual(await quantities(a), { AVAILABLE: a.available, COMMITTED: 0, RESERVED: 0, ON_HAND: onHandOf(a) })
    assert.deepEqual(await allocationsByLineItemIds(db, ['li_t5_1']), [])
    assert.deepEqual(await eventsSince(mark), [])
  })

  it('takes shipped units off COMMITTED and ON_HAND and records them on the allocation; a later cancel returns only the rest', async () => {
    const a = takeLevel()
    const [ra] = (await hold([{ level: a, quantity: 3 }])) as [string]
    const lines = [lineOf('li_t6_1', a, 3, ra)]
    await deliverTwice(envelopeOf('OrderPlaced', placed('ord_t6', lines)))
    const mark = await outboxPosition(db, 'inventory')
    const fulfillment: FulfillmentCreated = { orderId: 'ord_t6', fulfillmentId: 'ful_t6', fulfillmentOrderId: 'fo_t6', locationId: EAST, lines: [{ lineItemId: 'li_t6_1', sku: a.sku, quantity: 2 }] }
    await deliverTwice(envelopeOf('FulfillmentCreated', fulfillment))
    await deliver(envelopeOf('FulfillmentCreated', fulfillment))

    assert.deepEqual(await quantities(a), { AVAILABLE: a.available - 3, COMMITTED: 1, RESERVED: 0, ON_HAND: onHandOf(a) - 2 })
    const allocation = await db.query(`select quantity, fulfilled_quantity from inventory.allocations where line_item_id = 'li_t6_1'`)
    assert.deepEqual(allocation.rows, [{ quantity: 3, fulfilled_quantity: 2 }])
    assert.deepEqual(await eventsSince(mark), [
      ['StockLevelChanged', `${a.sku}@${EAST}`, 'FULFILLMENT', 'gid://orders/Fulfillment/ful_t6', [{ name: 'ON_HAND', before: onHandOf(a), after: onHandOf(a) - 2 }, { name: 'COMMITTED', before: 3, after: 1 }]],
    ])

    await deliverTwice(envelopeOf('OrderCancelled', cancelled('ord_t6', lines)))
    assert.deepEqual(await quantities(a), { AVAILABLE: a.available - 2, COMMITTED: 0, RESERVED: 0, ON_HAND: onHandOf(a) - 2 })
    assert.deepEqual(await allocationsByLineItemIds(db, ['li_t6_1']), [{ lineItemId: 'li_t6_1', sku: a.sku, locationId: EAST, quantity: 2 }])
  })

  it('puts a restocked return back in AVAILABLE once, and leaves stock alone for a return without restock', async () => {
    const a = takeLevel()
    const mark = await outboxPosition(db, 'inventory')
    const restocked: ReturnCreated = { orderId: 'ord_t7', returnId: 'ret_t7', restock: true, lines: [{ lineItemId: 'li_t7_1', sku: a.sku, quantity: 2, locationId: EAST }] }
    await deliverTwice(envelopeOf('ReturnCreated', restocked))
    await deliver(envelopeOf('ReturnCreated', restocked))
    assert.deepEqual(await quantities(a), { AVAILABLE: a.available + 2, COMMITTED: 0, RESERVED: 0, ON_HAND: onHandOf(a) + 2 })
    assert.deepEqual(await eventsSince(mark), [
      ['StockLevelChanged', `${a.sku}@${EAST}`, 'RESTOCK', 'gid://orders/Return/ret_t7', [{ name: 'AVAILABLE', before: a.available, after: a.available + 2 }, { name: 'ON_HAND', before: onHandOf(a), after: onHandOf(a) + 2 }]],
    ])

    const kept = await outboxPosition(db, 'inventory')
    await deliverTwice(envelopeOf('ReturnCreated', { ...restocked, returnId: 'ret_t7b', restock: false }))
    assert.deepEqual(await quantities(a), { AVAILABLE: a.available + 2, COMMITTED: 0, RESERVED: 0, ON_HAND: onHandOf(a) + 2 })
    assert.deepEqual(await eventsSince(kept), [])
  })

  it('ignores order events without a stock effect, acking them without a transaction', async () => {
    const mark = await outboxPosition(db, 'inventory')
    const confirmed = envelopeOf('OrderConfirmed', { orderId: 'ord_t8', paymentId: 'pay_t8' })
    await deliver(confirmed)
    await deliver(confirmed)
    assert.deepEqual(await eventsSince(mark), [])
    // not among the handler's types: nothing is recorded as processed either
    const processed = await db.query(`select 1 from inventory.processed_events where consumer = 'inventory.order-events' and event_id = $1`, [confirmed.id])
    assert.equal(processed.rowCount, 0)
  })

  it('is consumed by the app when it has a bus, and the app publishes StockLevelChanged', async () => {
    const appBus = createInProcessBus()
    const seen: EventEnvelope[] = []
    await appBus.consume({ name: 'test.stock-feed', subjects: ['commerce.inventory.InventoryLevel.>'], onDelivery: async (d) => { seen.push(d.event); await d.ack() } })
    const app = await inventory.buildApp({ config: testConfig, db, bus: appBus })
    try {
      await app.ready()
      const a = takeLevel()
      const [ra] = (await hold([{ level: a, quantity: 1 }])) as [string]
      await appBus.publish(envelopeOf('OrderPlaced', placed('ord_t9', [lineOf('li_t9_1', a, 1, ra)])))
      assert.deepEqual(await statuses([ra]), ['CONSUMED'])
      const { data } = await execute(app, `mutation($input: InventoryAdjustInput!) { inventoryAdjustQuantities(input: $input) { userErrors { code } } }`, {
        input: { idempotencyKey: 'app-wired', reason: 'RECEIVED', changes: [{ sku: a.sku, locationId: EAST, name: 'AVAILABLE', delta: 5, changeFromQuantity: null }] },
      }, staff())
      assert.deepEqual(data?.['inventoryAdjustQuantities'].userErrors, [])
      await app.relay?.flush()
      const ours = seen.filter((e) => e.aggregateId === `${a.sku}@${EAST}`).map((e) => [e.type, (e.payload as { reason: string }).reason])
      assert.deepEqual(ours, [['StockLevelChanged', 'RESERVATION'], ['StockLevelChanged', 'ORDER_PLACED'], ['StockLevelChanged', 'RECEIVED']])
    } finally {
      await app.close()
      await appBus.close()
    }
  })
})
