// Scale-out: two gateway processes and two processes of each subgraph on one PostgreSQL database
// and NATS JetStream. A partner subscribed through gateway A hears of stock changed through
// gateway B; shoppers spread over both gateways never buy more of a hot sku than there is; and
// one process of each subgraph killed in the middle of checkouts loses no order and no stock event.
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, describe, it } from 'node:test'
import { deleteNatsNamespace } from '../../platform/natsBus.ts'
import { SUBGRAPH_NAMES, type SubgraphName } from '../../platform/subgraphRegistry.ts'
import { createChaosDatabase, type ChaosDatabase } from './chaosDatabase.ts'
import { seconds, waitFor } from './clients.ts'
import {
  assertFeedMatchesLog, assertLedgerBalanced, assertOrdersExactlyOnce, assertStockAddsUp, eventBacklog, heldReservations, logPositionOf, ordersSettled,
  stockEventLog, stockTotals,
} from './invariants.ts'
import { followStock, type PartnerFeed } from './partnerFeed.ts'
import { chaosNamespace, chaosSkipReason, firstCrash, startGateway, startSubgraphs, stopAll, urlsOf, type ChaosProcess } from './processes.ts'
import { adjustStock, checkoutAll, describeCheckouts, mixedLines, prepareCarts, type CheckoutOutcome } from './shoppers.ts'
import { sellableSkus } from './skus.ts'

const [HOT, ...SKUS] = sellableSkus(5) as [string, ...string[]]
const HOT_STOCK = 12
const HOT_SHOPPERS = 30
const CARTS = 40
const SHOPPERS = 6

const skip = chaosSkipReason()

describe('two gateways and two processes of every subgraph (PostgreSQL + NATS)', { skip: skip ?? false }, () => {
  const natsUrl = process.env['NATS_URL'] as string
  const namespace = chaosNamespace('scale')
  let database: ChaosDatabase
  let subgraphs: Record<SubgraphName, ChaosProcess[]>
  let gateways: ChaosProcess[] = []
  let feed: PartnerFeed
  const urls = () => gateways.map((g) => g.url)
  const survivors = () => [...gateways, ...SUBGRAPH_NAMES.map((name) => subgraphs[name][0] as ChaosProcess)]

  before(async () => {
    database = await createChaosDatabase()
    subgraphs = await startSubgraphs({ databaseUrl: database.url, natsUrl, namespace, replicas: { catalog: 2, inventory: 2, orders: 2, finance: 2 } })
    gateways = await Promise.all(['gateway A', 'gateway B'].map((name) => startGateway({ name, natsUrl, namespace, urls: urlsOf(subgraphs) })))
    feed = followStock([`ws://127.0.0.1:${(gateways[0] as ChaosProcess).port}/graphql`], [HOT, ...SKUS])
  })
  after(async () => {
    await feed?.stop()
    await stopAll([...gateways, ...Object.values(subgraphs ?? {}).flat()])
    await database?.close()
    await deleteNatsNamespace(natsUrl, namespace).catch(() => {})
  })

  it('streams a stock change made through gateway B to a partner subscribed through gateway A', { timeout: 60_000 }, async () => {
    const [, b] = gateways as [ChaosProcess, ChaosProcess]
    let n = 0
    let changedAt = 0
    // the first change may come before A's upstream subscription is open: change until one arrives
    await waitFor('a change made through B on A\'s stream', async () => {
      changedAt = performance.now()
      await adjustStock(b.url, `chaos-scale-feed-${n++}`, [{ sku: SKUS[0] as string, locationId: 'loc_wh_east', delta: 1 }])
      return waitFor('the event', () => feed.events.length > 0, 3000, 50).then(() => true, () => false)
    }, 40_000, 100)
    const before = feed.events.length
    changedAt = performance.now()
    await adjustStock(b.url, `chaos-scale-feed-${n++}`, [{ sku: SKUS[1] as string, locationId: 'loc_wh_east', delta: 1 }])
    const heardIn = await waitFor('the second change on A\'s stream', () => feed.events.length > before, 10_000, 20)
    assert.equal(feed.events.at(-1)?.sku, SKUS[1])
    console.log(`scale-out: a change made through gateway B reached a partner on gateway A ${Math.round(performance.now() - changedAt)} ms after it was made (seen ${Math.round(heardIn)} ms after B answered)`)
  })

  it('sells exactly the stock of a hot sku to more shoppers than it has units, over both gateways', { timeout: 120_000 }, async () => {
    const [a, b] = gateways as [ChaosProcess, ChaosProcess]
    const levels = await database.query<{ location_id: string; available: number }>(`select location_id, available from inventory.inventory_levels where sku = $1`, [HOT])
    const changes = levels
      .map((l) => ({ sku: HOT, locationId: l.location_id, delta: (l.location_id === 'loc_wh_east' ? HOT_STOCK : 0) - l.available }))
      .filter((c) => c.delta !== 0)
    await adjustStock(a.url, 'chaos-scale-hot', changes)
    const before = await stockTotals(database, [HOT])
    assert.equal(before.get(HOT)?.available, HOT_STOCK)

    const carts = await prepareCarts(urls(), 'c_chaos_hot', HOT_SHOPPERS, () => [{ sku: HOT, quantity: 1 }])
    const outcomes = await checkoutAll([a.url, b.url], carts, { clients: SHOPPERS, thinkMs: 0 })
    const placed = outcomes.filter((o) => o.orderId)
    assert.equal(placed.length, HOT_STOCK, describeCheckouts(outcomes))
    assert.deepEqual([...new Set(outcomes.filter((o) => !o.orderId).flatMap((o) => o.refused))], ['INSUFFICIENT_STOCK'])
    const customers = carts.map((c) => c.customer)
    await waitFor('the hot orders to settle', () => ordersSettled(database, customers), 60_000, 250)
    await assertOrdersExactlyOnce(database, outcomes)
    await assertStockAddsUp(database, before, outcomes)
    const after = await stockTotals(database, [HOT])
    assert.deepEqual(after.get(HOT), { available: 0, committed: (before.get(HOT)?.committed ?? 0) + HOT_STOCK, reserved: before.get(HOT)?.reserved ?? 0 })
    console.log(`scale-out: ${HOT_SHOPPERS} shoppers over two gateways for ${HOT_STOCK} units → ${placed.length} orders, ${outcomes.length - placed.length} INSUFFICIENT_STOCK, AVAILABLE 0, never below`)
  })

  it('loses no order and no stock event when one process of each subgraph is killed mid-checkout', { timeout: 240_000 }, async (t) => {
    const before = await stockTotals(database, SKUS)
    const carts = await prepareCarts(urls(), 'c_chaos_scale', CARTS, mixedLines(SKUS))
    let killedAt = 0
    const victims = SUBGRAPH_NAMES.map((name) => subgraphs[name][1] as ChaosProcess)
    let outcomes: CheckoutOutcome[] = []
    // the orders placed before the kill: their events were in the dead processes' hands (the relay
    // lease, unacked deliveries), so how soon they settle is how soon the events recover
    let eventsRecoveredMs = 0
    const killing = (async () => {
      await sleep(1000)
      killedAt = performance.now()
      await Promise.all(victims.map((v) => v.kill()))
      const placedBefore = outcomes.filter((o) => o.orderId && o.answeredAt < killedAt).map((o) => o.cart.customer)
      eventsRecoveredMs = await waitFor('the orders placed before the kill to settle', () => ordersSettled(database, placedBefore), 120_000, 250)
    })()
    // a shopper keeps retrying past the idempotency claim's lease (60 s) of a request its process died in
    outcomes = await checkoutAll(urls(), carts, { clients: SHOPPERS, thinkMs: 100, timeoutMs: 80_000, abandon: () => firstCrash(survivors()) !== null, into: outcomes })
    await killing
    assert.equal(firstCrash(survivors()), null)
    const answeredAt = performance.now()
    const settledMs = await waitFor(
      'the orders\' events to settle on the surviving processes',
      () => ordersSettled(database, carts.map((c) => c.customer)),
      120_000,
      250,
      async () => JSON.stringify(await eventBacklog(database)),
    )

    assert.deepEqual(outcomes.filter((o) => o.gaveUp).map((o) => o.failures), [], 'every checkout got a definite answer')
    assert.deepEqual(outcomes.filter((o) => !o.orderId).map((o) => o.refused), [], 'there was stock for every cart')
    await assertOrdersExactlyOnce(database, outcomes)
    assert.deepEqual(await heldReservations(database, carts), [], 'no reservation outlives its checkout')
    await assertStockAddsUp(database, before, outcomes)
    await assertLedgerBalanced(database)
    assert.deepEqual(await eventBacklog(database), { unpublished: 0, deadLetters: 0 })
    console.log(`recovery: one of two processes of each subgraph killed during ${CARTS} checkouts over two gateways → ${describeCheckouts(outcomes)}`)
    console.log(`  the orders placed before the kill committed and authorized ${seconds(eventsRecoveredMs)} after it; every order ${seconds(answeredAt - killedAt + settledMs)} after it (${seconds(settledMs)} after the last checkout answer)`)

    // the partner on gateway A: every stock change since its first event, once each, in order
    const first = await logPositionOf(database, feed.events[0]?.eventId as string)
    const skus = [HOT, ...SKUS]
    const caughtUp = await waitFor(
      'the partner to receive every stock change',
      async () => new Set(feed.events.map((e) => e.eventId)).size - 1 >= (await stockEventLog(database, skus, first)).length,
      90_000,
      250,
      async () => `${feed.events.length - 1} of ${(await stockEventLog(database, skus, first)).length}; interruptions: ${feed.interruptions.join(' | ')}`,
    )
    await sleep(500)
    await assertFeedMatchesLog(database, feed, skus)
    console.log(`  the partner's stock feed caught up ${seconds(caughtUp)} after the orders settled: ${feed.events.length - 1} changes, each once and in order, over ${feed.resumes} resumed streams`)

    // a checkout whose process died holds its idempotency claim until the claim's 10 s lease runs out
    await t.test('answers every checkout within 15 s of the kill', () => {
      const slow = outcomes.filter((o) => o.ms > 15_000)
      assert.deepEqual(slow.map((o) => `${o.key}: ${seconds(o.ms)}, ${o.failures.length} failed attempts`), [])
    })
  })
})
