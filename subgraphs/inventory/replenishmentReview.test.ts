import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import type { Bus, ConsumerHandle } from '../../platform/bus.ts'
import { startConsumer } from '../../platform/consumer.ts'
import { createInProcessBus } from '../../platform/inProcessBus.ts'
import { execute, staff } from '../../platform/testing.ts'
import { buildWorld } from '../../seed/world.ts'
import { orderEventsHandler } from './consumers/orderEvents.ts'
import { dayOfInstant } from './demand.ts'
import { needKey } from './forecast/replenishment.ts'
import { reviewReplenishment } from './replenishmentReview.ts'
import { applyLevelChangesOrThrow } from './store/levelChangeStore.ts'
import { freshLevels, inventoryAppForSuite, levelSnapshot, orderPlacedEvent } from './testSupport.ts'

const world = buildWorld()
const EAST = 'loc_wh_east'
const fresh = freshLevels(world, EAST)
const TODAY = dayOfInstant(new Date())

const SET = `mutation($input: ReplenishmentPolicySetInput!) { replenishmentPolicySet(input: $input) { userErrors { code field } } }`

describe('the replenishment review', () => {
  const t = inventoryAppForSuite()
  let bus: Bus
  let consumer: ConsumerHandle

  before(async () => {
    bus = createInProcessBus()
    const logger = { level: 'silent', info() {}, debug() {}, trace() {}, silent() {}, warn() {}, error() {}, fatal() {}, child: () => logger }
    consumer = await startConsumer({ db: t.db, bus, schema: 'inventory', logger: logger as never, maxDeliveries: 1, backoffMs: () => 1 }, orderEventsHandler)
  })
  after(async () => {
    await consumer.stop()
    await bus.close()
  })

  const setAvailable = async (sku: string, quantity: number) => {
    const now = await levelSnapshot(t.app, sku, EAST, staff())
    await t.db.transaction((tx) =>
      applyLevelChangesOrThrow(tx, { reason: 'CORRECTION', referenceDocumentUri: null, actor: null, changes: [{ sku, locationId: EAST, name: 'AVAILABLE', delta: quantity - (now.quantities['AVAILABLE'] ?? 0) }] }),
    )
  }
  /** The orders replenishment raised for the level (the seed's own have no need). */
  const ordersOf = async (sku: string) =>
    (await t.db.query<{ need_key: string; status: string }>(
      `select r.need_key, r.status from inventory.replenishments r join inventory.replenishment_lines l on l.replenishment_id = r.id
       where l.sku = $1 and r.destination_location_id = $2 and r.need_key is not null order by r.created_at`,
      [sku, EAST],
    )).rows

  it('orders for a level that emptied with no event to decide on it, once per need however often it runs', async () => {
    const sku = fresh[5]!.sku
    // plenty on the shelf while three weeks of orders (about six a day) teach it the demand
    await setAvailable(sku, 10_000)
    const set = await execute(t.app, SET, { input: { idempotencyKey: randomUUID(), sku, locationId: EAST, supplierId: 'sup_acme', leadTimeDays: 5, reviewPeriodDays: 7, serviceLevel: 0.95, minimumOrderQuantity: 0, packSize: 1 } }, staff())
    assert.deepEqual(set.data?.['replenishmentPolicySet'].userErrors, [])
    for (let day = TODAY - 21; day <= TODAY; day++) {
      await bus.publish(orderPlacedEvent({ tag: `v${day}`, day, sku, locationId: EAST, quantity: 5 + (day % 3) }))
    }
    assert.deepEqual(await ordersOf(sku), [], 'far above the reorder point: nothing ordered')

    // written off (damage, a count): no order event reaches the level, so none decides for it
    await setAvailable(sku, 0)
    assert.deepEqual(await ordersOf(sku), [])

    assert.ok((await reviewReplenishment(t.db, TODAY)) >= 1)
    assert.deepEqual(await ordersOf(sku), [{ need_key: needKey(sku, EAST, TODAY, 7), status: 'DRAFT' }])
    await reviewReplenishment(t.db, TODAY)
    await Promise.all([reviewReplenishment(t.db, TODAY), reviewReplenishment(t.db, TODAY)])
    assert.equal((await ordersOf(sku)).length, 1, 'one order for the need, however many reviews')
  })
})
