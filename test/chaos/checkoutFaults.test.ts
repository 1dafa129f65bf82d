// Checkouts while the infrastructure under the services fails: PostgreSQL connections cut
// (pg_terminate_backend) and NATS restarted. Every service is a process of its own; NATS is a
// nats-server of this file's own, so it can be restarted with its JetStream store kept. Shoppers
// retry a failed checkout with the same idempotency key; a partner follows the stock of the skus
// sold over graphql-ws through the gateway, resuming from its last cursor when its stream breaks.
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, describe, it } from 'node:test'
import type { SubgraphName } from '../../platform/subgraphRegistry.ts'
import { createChaosDatabase, type ChaosDatabase } from './chaosDatabase.ts'
import { seconds, waitFor } from './clients.ts'
import { startFaultProxy, type FaultProxy } from './faultProxy.ts'
import {
  assertFeedMatchesLog, assertLedgerBalanced, assertOrdersExactlyOnce, assertStockAddsUp, eventBacklog, heldReservations, logPositionOf, ordersSettled,
  stockEventLog, stockTotals,
} from './invariants.ts'
import { natsServerBinary, startNatsServer, type NatsServer } from './natsServer.ts'
import { followStock, type PartnerFeed } from './partnerFeed.ts'
import { chaosNamespace, chaosSkipReason, firstCrash, startGateway, startSubgraphs, stopAll, urlsOf, type ChaosProcess } from './processes.ts'
import { adjustStock, checkoutAll, checkoutOnce, checkoutUntilDone, describeCheckouts, mixedLines, prepareCarts } from './shoppers.ts'
import { sellableSkus } from './skus.ts'

const SKUS = sellableSkus(4)
const CARTS = 48
const SHOPPERS = 6
const THINK_MS = 100

const skip = chaosSkipReason() ?? (natsServerBinary() ? null : 'needs a nats-server binary to start and restart a NATS of its own')

describe('checkouts while PostgreSQL connections are cut and NATS restarts (processes on PostgreSQL + NATS)', { skip: skip ?? false }, () => {
  const namespace = chaosNamespace('checkout')
  let database: ChaosDatabase
  let nats: NatsServer
  let subgraphs: Record<SubgraphName, ChaosProcess[]>
  let gateway: ChaosProcess
  let feed: PartnerFeed
  /** Between orders and inventory (orders' SUBGRAPH_INVENTORY_URL), passing everything unless told. */
  let inventoryProxy: FaultProxy
  const customersSoFar: string[] = []

  before(async () => {
    database = await createChaosDatabase()
    nats = await startNatsServer()
    inventoryProxy = await startFaultProxy()
    subgraphs = await startSubgraphs({ databaseUrl: database.url, natsUrl: nats.url, namespace, envFor: { orders: { SUBGRAPH_INVENTORY_URL: inventoryProxy.url } } })
    inventoryProxy.setUpstream((subgraphs.inventory[0] as ChaosProcess).url)
    gateway = await startGateway({ natsUrl: nats.url, namespace, urls: urlsOf(subgraphs) })
    // the partner's first event proves its stream is up: everything after it must arrive
    feed = followStock([`ws://127.0.0.1:${gateway.port}/graphql`], SKUS)
    let n = 0
    await waitFor('the partner\'s first stock event', async () => {
      await adjustStock(gateway.url, `chaos-feed-start-${n++}`, [{ sku: SKUS[0] as string, locationId: 'loc_wh_east', delta: 1 }])
      return feed.events.length > 0
    }, 30_000, 500)
  })
  after(async () => {
    await feed?.stop()
    await stopAll([...(gateway ? [gateway] : []), ...Object.values(subgraphs ?? {}).flat()])
    await nats?.stop()
    await inventoryProxy?.close()
    await database?.close()
  })

  const processes = () => [gateway, ...Object.values(subgraphs).flat()]
  /** No service died: each scenario's faults are survivable, so a crash fails it at once. */
  const assertNoCrash = () => assert.equal(firstCrash(processes()), null)
  const abandon = () => firstCrash(processes()) !== null

  /** Waits until every order so far is committed and authorized, and no event is left unpublished. */
  const settled = (timeoutMs: number) =>
    waitFor(
      'the orders\' events to settle',
      async () => {
        assertNoCrash()
        return ordersSettled(database, customersSoFar)
      },
      timeoutMs,
      250,
      async () => JSON.stringify(await eventBacklog(database)),
    )

  it('places every checkout exactly once, and stock and ledger add up, while PostgreSQL connections are cut', { timeout: 240_000 }, async (t) => {
    const before = await stockTotals(database, SKUS)
    const carts = await prepareCarts([gateway.url], 'c_chaos_pg', CARTS, mixedLines(SKUS))
    customersSoFar.push(...carts.map((c) => c.customer))
    let checkingOut = true
    const cuts: number[] = []
    let lastCutAt = 0
    const cutter = (async () => {
      await sleep(300)
      while (checkingOut && cuts.length < 5) {
        cuts.push(await database.terminateBackends())
        lastCutAt = performance.now()
        await sleep(600)
      }
    })()
    // a shopper keeps retrying (with the same key) until it has a definite answer
    const outcomes = await checkoutAll([gateway.url], carts, { clients: SHOPPERS, thinkMs: THINK_MS, abandon, timeoutMs: 80_000 })
    checkingOut = false
    await cutter
    assertNoCrash()
    const answeredAt = performance.now()
    const settledMs = await settled(60_000)

    assert.ok(cuts.length >= 3 && cuts.every((n) => n > 0), `connections cut ${cuts.length} times (${cuts.join(', ')})`)
    assert.deepEqual(outcomes.filter((o) => o.gaveUp).map((o) => o.failures), [], 'every checkout got a definite answer')
    assert.deepEqual(outcomes.filter((o) => !o.orderId).map((o) => o.refused), [], 'there was stock for every cart')
    await assertOrdersExactlyOnce(database, outcomes)
    assert.deepEqual(await heldReservations(database, carts), [], 'no reservation outlives its checkout')
    await assertStockAddsUp(database, before, outcomes)
    await assertLedgerBalanced(database)
    assert.deepEqual(await eventBacklog(database), { unpublished: 0, deadLetters: 0 })
    console.log(`recovery: PostgreSQL connections cut ${cuts.length}× (${cuts.join('+')} backends) during ${CARTS} checkouts → ${describeCheckouts(outcomes)}`)
    console.log(`  every order committed and authorized ${seconds(answeredAt - lastCutAt + settledMs)} after the last cut (${seconds(settledMs)} after the last checkout answer)`)

    // a claim orphaned by a cut (its insert committed but the answer lost, or its release failing)
    // frees its key when the claim's 10 s lease runs out (platform/idempotency.ts)
    await t.test('answers every checkout within 15 s, cuts included', () => {
      const slow = outcomes.filter((o) => o.ms > 15_000)
      assert.deepEqual(slow.map((o) => `${o.key}: ${seconds(o.ms)}, ${o.failures.length} failed attempts`), [])
    })
  })

  it('consumes every order\'s events exactly once after NATS restarts mid-checkout, and the partner sees every stock change', { timeout: 180_000 }, async () => {
    const before = await stockTotals(database, SKUS)
    const carts = await prepareCarts([gateway.url], 'c_chaos_nats', CARTS, mixedLines(SKUS))
    customersSoFar.push(...carts.map((c) => c.customer))
    let backAt = 0
    const restart = (async () => {
      await sleep(800)
      await nats.restart(3000)
      backAt = performance.now()
    })()
    const outcomes = await checkoutAll([gateway.url], carts, { clients: SHOPPERS, thinkMs: THINK_MS * 2, abandon })
    await restart
    assertNoCrash()
    await settled(90_000)
    const recoveredIn = performance.now() - backAt

    assert.deepEqual(outcomes.filter((o) => o.gaveUp).map((o) => o.failures), [], 'every checkout got a definite answer')
    assert.deepEqual(outcomes.filter((o) => !o.orderId).map((o) => o.refused), [], 'there was stock for every cart')
    await assertOrdersExactlyOnce(database, outcomes)
    // no checkout failed here: nothing was compensated, so nothing may be left reserved
    assert.deepEqual(await heldReservations(database, carts), [])
    await assertStockAddsUp(database, before, outcomes)
    await assertLedgerBalanced(database)
    assert.deepEqual(await eventBacklog(database), { unpublished: 0, deadLetters: 0 })
    console.log(`recovery: NATS down 3 s during ${CARTS} checkouts → ${describeCheckouts(outcomes)}; every order committed and authorized ${seconds(recoveredIn)} after NATS was back`)

    // the partner: every stock change of both scenarios, once each, in the log's order
    const first = await logPositionOf(database, feed.events[0]?.eventId as string)
    await waitFor(
      'the partner to receive every stock change',
      async () => new Set(feed.events.map((e) => e.eventId)).size - 1 >= (await stockEventLog(database, SKUS, first)).length,
      90_000,
      250,
      async () => `${feed.events.length - 1} of ${(await stockEventLog(database, SKUS, first)).length}; interruptions: ${feed.interruptions.join(' | ')}`,
    )
    const caughtUp = performance.now() - backAt
    await sleep(500)
    await assertFeedMatchesLog(database, feed, SKUS)
    console.log(`recovery: the partner's stock feed caught up ${seconds(caughtUp)} after NATS was back: ${feed.events.length - 1} changes, each once and in order, over ${feed.resumes} resumed streams (${feed.interruptions.join(' | ') || 'none broke'})`)
  })

  it('places one order and holds no stock when a cut checkout could release only one of its two reservations', { timeout: 120_000 }, async () => {
    const skus = sellableSkus(2, SKUS.length) as [string, string]
    const before = await stockTotals(database, skus)
    const [cart] = await prepareCarts([gateway.url], 'c_chaos_partial', 1, () => [{ sku: skus[0], quantity: 1 }, { sku: skus[1], quantity: 2 }])
    if (!cart) throw new Error('no cart')
    customersSoFar.push(cart.customer)
    const key = `${cart.customer}-checkout`
    // inventory's answer to the reservation is held while the test takes the cart's row lock, so
    // orders' transaction (its first statement locks the cart) waits, and its connection is cut
    let letGo: () => void = () => {}
    const gate = new Promise<void>((resolve) => (letGo = resolve))
    inventoryProxy.failNext({ kind: 'mutation', fault: 'hold', matching: 'inventoryReserve', until: gate })
    const seenBefore = inventoryProxy.seen.length
    const attempt = checkoutOnce(gateway.url, cart, key)
    await waitFor('the reservation', () => inventoryProxy.seen.slice(seenBefore).some((r) => r.fault === 'hold'), 15_000, 20)
    const lock = await database.lockRows('select 1 from orders.carts where id = $1 for update', [cart.id])
    // of the two releases the failed attempt then asks for, the first is refused
    inventoryProxy.failNext({ kind: 'mutation', fault: 'refuse', matching: 'inventoryReleaseReservation' })
    letGo()
    await waitFor('orders waiting on the cart\'s lock, cut', async () => (await database.terminateBackends({ waitingOnLock: true })) > 0, 15_000, 50)
    const failed = await attempt
    await lock.release()
    assert.ok(failed.errors.length > 0 && !failed.data?.['checkoutComplete'], `the attempt failed: ${JSON.stringify(failed)}`)
    const releases = inventoryProxy.seen.slice(seenBefore).filter((r) => r.document.includes('inventoryReleaseReservation'))
    assert.deepEqual(releases.map((r) => r.fault), ['refuse', null], 'one release refused, the other made')

    const outcome = await checkoutUntilDone([gateway.url], cart, key)
    assert.ok(outcome.orderId, JSON.stringify(outcome))
    await waitFor('the order to settle', () => ordersSettled(database, [cart.customer]), 30_000, 250)
    await assertOrdersExactlyOnce(database, [outcome])
    // the retry gave the reservation the failed attempt could not release back before reserving afresh
    const held = await heldReservations(database, [cart])
    assert.deepEqual(held.map((r) => `${r.sku} × ${r.quantity} (${r.id})`), [], 'no reservation outlives the checkout')
    await assertStockAddsUp(database, before, [outcome])
  })
})
