// Subgraphs that fail under load, each a process of its own behind a gateway process on
// PostgreSQL and NATS: one killed, one hung (SIGSTOP), one behind a proxy answering 503, and one
// replica of two killed. What the clients saw is asserted, and how long recovery took is printed.
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, describe, it } from 'node:test'
import { deleteNatsNamespace } from '../../platform/natsBus.ts'
import { metricValue } from '../../platform/testing.ts'
import { freePort } from '../../bench/processes.ts'
import type { SubgraphName } from '../../platform/subgraphRegistry.ts'
import { createChaosDatabase, type ChaosDatabase } from './chaosDatabase.ts'
import { customer, errorLabels, post, seconds, startReading, waitFor, type TimedAnswer } from './clients.ts'
import { startFaultProxy, type FaultProxy } from './faultProxy.ts'
import { chaosNamespace, chaosSkipReason, scrapeMetrics, startGateway, startSubgraph, startSubgraphs, stopAll, urlsOf, type ChaosProcess } from './processes.ts'
import { fillCart } from './shoppers.ts'

const SUBGRAPH_TIMEOUT_MS = 1500
const CIRCUIT_OPEN_MS = 1000
/** What a loaded two-core machine may add to the timeout before a client has its answer. */
const SLACK_MS = 1000
const READERS = 4

// catalog answers the shelf; inventory adds availableToSell to each variant (a nullable field)
const SHELF = `query ChaosShelf { products(first: 5) { nodes { title variants(first: 3) { nodes { sku availableToSell } } } } }`

/** Catalog's part is there in every answer, whatever inventory does. */
function assertCatalogAnswered(answer: TimedAnswer): void {
  assert.equal(answer.status, 200, answer.failure ?? JSON.stringify(answer.errors))
  const products = answer.data?.['products']?.nodes as { title: string }[] | undefined
  assert.equal(products?.length, 5, JSON.stringify(answer))
  for (const product of products) assert.ok(product.title)
}

const whole = (answer: TimedAnswer) => answer.status === 200 && answer.errors.length === 0 && answer.data?.['products']?.nodes.length === 5

/** The error codes of `answers`, each error naming inventory. */
function inventoryCodes(answers: readonly TimedAnswer[]): Set<string> {
  const codes = new Set<string>()
  for (const answer of answers) {
    for (const error of answer.errors) {
      assert.equal(error.extensions?.['serviceName'], 'inventory', JSON.stringify(error))
      codes.add(String(error.extensions?.['code']))
    }
  }
  return codes
}

const skip = chaosSkipReason()

describe('subgraphs that fail under load, behind the gateway (processes on PostgreSQL + NATS)', { skip: skip ?? false }, () => {
  const natsUrl = process.env['NATS_URL'] as string
  const namespace = chaosNamespace('subgraphs')
  let database: ChaosDatabase
  let subgraphs: Record<SubgraphName, ChaosProcess[]>
  let proxy: FaultProxy
  let gateway: ChaosProcess
  let gatewayUrl: string
  const extra: ChaosProcess[] = []
  const inventory = () => subgraphs.inventory[0] as ChaosProcess

  before(async () => {
    database = await createChaosDatabase()
    subgraphs = await startSubgraphs({ databaseUrl: database.url, natsUrl, namespace })
    // orders behind the fault proxy; the others called directly
    proxy = await startFaultProxy((subgraphs.orders[0] as ChaosProcess).url)
    gateway = await startGateway({
      natsUrl,
      namespace,
      urls: { ...urlsOf(subgraphs), orders: [proxy.url] },
      // the response cache off: every read reaches the subgraphs
      env: { SUBGRAPH_TIMEOUT_MS: String(SUBGRAPH_TIMEOUT_MS), CIRCUIT_OPEN_MS: String(CIRCUIT_OPEN_MS), SUBGRAPH_RETRIES: '2', CACHE: 'off' },
    })
    gatewayUrl = gateway.url
  })
  after(async () => {
    await stopAll([...extra, ...(gateway ? [gateway] : []), ...Object.values(subgraphs ?? {}).flat()])
    await proxy?.close()
    await database?.close()
    await deleteNatsNamespace(natsUrl, namespace).catch(() => {})
  })

  it('answers with catalog\'s data and SUBGRAPH_UNAVAILABLE, then CIRCUIT_OPEN, while inventory is killed, and heals once it is back', { timeout: 120_000 }, async () => {
    const load = startReading(gatewayUrl, SHELF, { clients: READERS })
    await waitFor('whole answers', () => load.answers.filter(whole).length >= 8, 20_000)
    const killedAt = performance.now()
    await inventory().kill()
    await waitFor('the breaker to open', async () => metricValue(await scrapeMetrics(gateway), 'subgraph_circuit_state', { subgraph: 'inventory', state: 'open' }) === 1, 15_000)
    const openedAt = performance.now()
    await sleep(1500)
    const restartedAt = performance.now()
    await inventory().restart()
    const readyAt = performance.now()
    const healed = await waitFor('whole answers again', () => load.answers.some((a) => a.startedAt > readyAt && whole(a)), 15_000)
    await sleep(1000)
    await load.stop()

    for (const answer of load.answers) assertCatalogAnswered(answer)
    const during = load.answers.filter((a) => a.startedAt > killedAt + 100 && a.endedAt < restartedAt)
    assert.ok(during.length > 0 && during.every((a) => !whole(a)), 'inventory\'s fields fail while it is down')
    for (const answer of during) {
      for (const product of answer.data?.['products'].nodes ?? []) for (const variant of product.variants.nodes) assert.equal(variant.availableToSell, null)
    }
    const codes = inventoryCodes(load.answers)
    assert.deepEqual([...codes].sort(), ['CIRCUIT_OPEN', 'SUBGRAPH_UNAVAILABLE'])
    const lastFailure = Math.max(...load.answers.filter((a) => !whole(a)).map((a) => a.endedAt))
    assert.ok(load.answers.filter((a) => a.startedAt > lastFailure).length > 0, 'answers are whole after the last failure')
    const metrics = await scrapeMetrics(gateway)
    assert.equal(metricValue(metrics, 'subgraph_circuit_state', { subgraph: 'inventory', state: 'closed' }), 1, 'the breaker closed again')
    console.log(`recovery: inventory killed → breaker open in ${seconds(openedAt - killedAt)}; restarted → process ready in ${seconds(readyAt - restartedAt)}, answers whole again ${seconds(readyAt - restartedAt + healed)} after the restart began (${seconds(healed)} after it was ready)`)
    console.log(`  ${load.answers.length} answers, ${load.answers.filter((a) => !whole(a)).length} partial (${[...codes].join(', ')}), none without catalog's data`)
  })

  it('answers SUBGRAPH_TIMEOUT within the bound while inventory hangs (SIGSTOP), and heals on SIGCONT', { timeout: 120_000 }, async () => {
    const load = startReading(gatewayUrl, SHELF, { clients: READERS })
    await waitFor('whole answers', () => load.answers.filter(whole).length >= 8, 20_000)
    const pausedAt = performance.now()
    inventory().pause()
    await sleep(4 * SUBGRAPH_TIMEOUT_MS)
    const resumedAt = performance.now()
    inventory().resume()
    const healed = await waitFor('whole answers again', () => load.answers.some((a) => a.startedAt > resumedAt && whole(a)), 20_000)
    await sleep(1000)
    await load.stop()

    for (const answer of load.answers) assertCatalogAnswered(answer)
    const slowest = Math.max(...load.answers.map((a) => a.ms))
    assert.ok(slowest <= SUBGRAPH_TIMEOUT_MS + SLACK_MS, `no client waited past SUBGRAPH_TIMEOUT_MS (${SUBGRAPH_TIMEOUT_MS} ms): the slowest answer took ${Math.round(slowest)} ms`)
    const hung = load.answers.filter((a) => a.startedAt > pausedAt && a.endedAt < resumedAt)
    assert.ok(hung.length > 0 && hung.every((a) => !whole(a)), 'inventory\'s fields fail while it hangs')
    const codes = inventoryCodes(load.answers)
    assert.ok(codes.has('SUBGRAPH_TIMEOUT'), [...codes].join())
    for (const code of codes) assert.ok(['SUBGRAPH_TIMEOUT', 'CIRCUIT_OPEN'].includes(code), code)
    console.log(`recovery: inventory hung (SIGSTOP) → every answer within ${Math.round(slowest)} ms (timeout ${SUBGRAPH_TIMEOUT_MS} ms, ${[...codes].join(', ')}); SIGCONT → answers whole again in ${seconds(healed)}`)
  })

  describe('orders behind a proxy that answers 503', () => {
    const CART = `query ChaosCartRead($id: ID!) { cart(id: $id) { id lines { quantity variant { sku } } total { minorUnits } } }`
    const ADD = `mutation ChaosCartAdd($input: CartLinesAddInput!) { cartLinesAdd(input: $input) { cart { id lines { quantity } } userErrors { code } } }`
    const who = 'c_chaos_proxy'
    let cartId: string
    const cartReads = () => proxy.seen.filter((r) => r.kind === 'query' && r.document.includes('cart('))
    const linesOf = async (id: string) => database.query<{ sku: string; quantity: number }>(`select sku, quantity from orders.cart_lines where cart_id = $1 order by sku`, [id])

    before(async () => {
      cartId = (await fillCart(gatewayUrl, who, [{ sku: 'APP-0002-M', quantity: 1 }], 'chaos-proxy-cart')).id
    })

    it('retries a query that got 503 and answers it whole', async () => {
      for (const failures of [1, 2]) {
        const before = cartReads().length
        proxy.failNext({ kind: 'query', fault: 'refuse' }, failures)
        const answer = await post(gatewayUrl, CART, { id: cartId }, customer(who))
        assert.deepEqual(answer.errors, [])
        assert.equal(answer.data?.['cart'].id, cartId)
        assert.equal(cartReads().length - before, failures + 1, `${failures} refused, then forwarded`)
      }
    })

    it('answers every read whole while one query in eight gets 503, and keeps the breaker closed', { timeout: 60_000 }, async () => {
      const before = cartReads().length
      proxy.failEvery('query', 8, 'refuse')
      const load = startReading(gatewayUrl, CART, { clients: READERS, variables: { id: cartId }, as: customer(who) })
      await sleep(4000)
      await load.stop()
      proxy.failEvery('query', 0, 'refuse')
      const refused = cartReads().slice(before).filter((r) => r.fault === 'refuse').length
      assert.ok(refused >= 3, `the proxy refused ${refused} reads`)
      const failed = load.answers.filter((a) => a.errors.length > 0 || a.data?.['cart']?.id !== cartId)
      assert.deepEqual(failed.map(errorLabels), [], `${failed.length} of ${load.answers.length} reads failed`)
      const metrics = await scrapeMetrics(gateway)
      assert.equal(metricValue(metrics, 'subgraph_circuit_state', { subgraph: 'orders', state: 'closed' }), 1)
      console.log(`retries: ${load.answers.length} reads through a proxy refusing 1 in 8 (${refused} refused): every answer whole`)
    })

    it('sends a mutation once when its answer is lost (503 after the subgraph ran it); the client\'s retry with the key replays it', async () => {
      const mutations = () => proxy.seen.filter((r) => r.kind === 'mutation' && r.document.includes('cartLinesAdd'))
      const before = mutations().length
      const linesBefore = await linesOf(cartId)
      proxy.failNext({ kind: 'mutation', fault: 'lose-answer' })
      const input = { idempotencyKey: 'chaos-proxy-lost', cartId, currency: 'USD', lines: [{ sku: 'APP-0002-L', quantity: 1 }] }
      const lost = await post(gatewayUrl, ADD, { input }, customer(who))
      assert.deepEqual(errorLabels(lost), ['SUBGRAPH_UNAVAILABLE (orders)'])
      assert.equal(mutations().length - before, 1, 'the gateway sent the mutation once: never retried')
      const applied = await linesOf(cartId)
      assert.deepEqual(applied, [...linesBefore, { sku: 'APP-0002-L', quantity: 1 }].sort((a, b) => a.sku.localeCompare(b.sku)), 'orders ran it once')

      const again = await post(gatewayUrl, ADD, { input }, customer(who))
      assert.deepEqual(again.errors, [])
      assert.deepEqual(again.data?.['cartLinesAdd'].userErrors, [])
      assert.equal(mutations().length - before, 2)
      assert.deepEqual(await linesOf(cartId), applied, 'the retry replayed the first result: nothing added twice')
    })

    it('sends a mutation refused with 503 once, and applies it once when the client retries with its key', async () => {
      const mutations = () => proxy.seen.filter((r) => r.kind === 'mutation' && r.document.includes('cartLinesAdd'))
      const before = mutations().length
      const linesBefore = await linesOf(cartId)
      proxy.failNext({ kind: 'mutation', fault: 'refuse' })
      const input = { idempotencyKey: 'chaos-proxy-refused', cartId, currency: 'USD', lines: [{ sku: 'APP-0002-S', quantity: 2 }] }
      const refused = await post(gatewayUrl, ADD, { input }, customer(who))
      assert.deepEqual(errorLabels(refused), ['SUBGRAPH_UNAVAILABLE (orders)'])
      assert.equal(mutations().length - before, 1, 'never retried by the gateway')
      assert.deepEqual(await linesOf(cartId), linesBefore, 'orders never saw it')
      const again = await post(gatewayUrl, ADD, { input }, customer(who))
      assert.deepEqual(again.data?.['cartLinesAdd'].userErrors, [])
      const expected = [...linesBefore.filter((l) => l.sku !== 'APP-0002-S'), { sku: 'APP-0002-S', quantity: (linesBefore.find((l) => l.sku === 'APP-0002-S')?.quantity ?? 0) + 2 }]
      assert.deepEqual(await linesOf(cartId), expected.sort((a, b) => a.sku.localeCompare(b.sku)))
    })
  })

  it('loses no answer beyond those in flight when one of two inventory replicas is killed', { timeout: 120_000 }, async () => {
    const urls = urlsOf(subgraphs)
    const port = await freePort()
    const second = await startSubgraph('inventory', 'inventory#2', port, urls, { databaseUrl: database.url, natsUrl, namespace })
    extra.push(second)
    const replicated = await startGateway({
      name: 'gateway (two inventory replicas)',
      natsUrl,
      namespace,
      urls: { ...urls, inventory: [inventory().url, second.url] },
      env: { SUBGRAPH_TIMEOUT_MS: String(SUBGRAPH_TIMEOUT_MS), CIRCUIT_OPEN_MS: String(CIRCUIT_OPEN_MS), CACHE: 'off' },
    })
    extra.push(replicated)
    const load = startReading(replicated.url, SHELF, { clients: READERS })
    await waitFor('whole answers from both replicas', () => load.answers.filter(whole).length >= 20, 20_000)
    const killedAt = performance.now()
    await inventory().kill()
    await sleep(3000)
    await load.stop()

    const inFlight = load.answers.filter((a) => a.startedAt <= killedAt && a.endedAt >= killedAt)
    const broken = load.answers.filter((a) => !whole(a))
    for (const answer of load.answers) assertCatalogAnswered(answer)
    assert.ok(broken.every((a) => inFlight.includes(a)), `only requests in flight at the kill may fail: ${broken.map((a) => errorLabels(a).join()).join(' | ')}`)
    const after = load.answers.filter((a) => a.startedAt > killedAt)
    assert.ok(after.length >= 10 && after.every(whole), 'every later answer is whole')
    const readiness = await fetch(`http://127.0.0.1:${replicated.port}/readyz`)
    assert.equal(readiness.status, 200, 'the gateway stays ready on one replica')
    console.log(`recovery: one of two inventory replicas killed → ${broken.length} of ${inFlight.length} answers in flight incomplete, ${after.length} later answers all whole`)
    await inventory().restart()
  })
})
