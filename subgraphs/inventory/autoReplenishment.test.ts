import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import type { Bus, ConsumerHandle } from '../../platform/bus.ts'
import { startConsumer } from '../../platform/consumer.ts'
import { createInProcessBus } from '../../platform/inProcessBus.ts'
import { eventually, execute, openSubgraphTestApp, staff, testConfig, type SubgraphTestApp } from '../../platform/testing.ts'
import { buildWorld } from '../../seed/world.ts'
import { orderEventsHandler } from './consumers/orderEvents.ts'
import { submitForNeed } from './consumers/suggestReplenishment.ts'
import { dayOfInstant } from './demand.ts'
import { setReplenishmentPolicy } from './mutations/setReplenishmentPolicy.ts'
import { startPlacementWorker } from './placementWorker.ts'
import { applyLevelChangesOrThrow } from './store/levelChangeStore.ts'
import { inventory } from './subgraph.ts'
import { builtinKeyWith, createBuiltinSupplier } from './suppliers/builtinSupplier.ts'
import { httpSupplier } from './suppliers/httpSupplier.ts'
import { resilientSupplier } from './suppliers/resilientSupplier.ts'
import { freshLevels, levelSnapshot, orderPlacedEvent } from './testSupport.ts'

const world = buildWorld()
const EAST = 'loc_wh_east'
const fresh = freshLevels(world, EAST)
const TODAY = dayOfInstant(new Date())
const TIMEOUT_MS = 200
const ATTEMPTS = 6

const SET = `mutation($input: ReplenishmentPolicySetInput!) { replenishmentPolicySet(input: $input) { policy { mode supplierId } userErrors { code field } } }`
const POLICY = `query($r: [_Any!]!) { _entities(representations: $r) { ... on ProductVariant { stock(locationIds: ["${EAST}"]) { nodes {
  replenishmentPolicy { mode } purchaseOrders { id status } } } } } }`
const ORDER = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Replenishment { id status expectedAt lines { quantity requestedQuantity receivedQuantity }
  placement { supplierId idempotencyKey attempts lastError supplierReference acknowledgedAt } } } }`
const PO_FIELDS = `replenishment { id status } userErrors { code field }`
const policyInput = (sku: string, overrides: Record<string, unknown> = {}) => ({
  idempotencyKey: randomUUID(), sku, locationId: EAST, supplierId: 'sup_acme', leadTimeDays: 5, reviewPeriodDays: 7,
  serviceLevel: 0.95, minimumOrderQuantity: 30, packSize: 12, ...overrides,
})

describe('AUTO replenishment through the supplier adapter', () => {
  const supplier = createBuiltinSupplier({ lateDelayMs: 3 * TIMEOUT_MS })
  let supplierPort = 0
  let bus: Bus
  let t: SubgraphTestApp
  const problems: unknown[] = []

  before(async () => {
    const url = await supplier.listen('127.0.0.1', 0)
    supplierPort = Number(new URL(url).port)
    bus = createInProcessBus()
    const config = { ...testConfig, supplierUrl: url, supplierTimeoutMs: TIMEOUT_MS, supplierRetries: 1, circuitOpenMs: 100, supplierPlacementAttempts: ATTEMPTS }
    t = await openSubgraphTestApp(inventory, { deps: { bus, config } })
    await t.app.ready()
  })
  after(async () => {
    await t.close()
    await bus.close()
    await supplier.close()
  })

  const orderOf = async (id: string) => {
    const { data, errors } = await execute(t.app, ORDER, { r: [{ __typename: 'Replenishment', id }] }, staff())
    assert.equal(errors, undefined)
    return data?.['_entities'][0]
  }
  const statusOf = async (id: string) => (await t.db.query<{ status: string }>(`select status from inventory.replenishments where id = $1`, [id])).rows[0]?.status
  const answered = (id: string) => eventually(`${id} answered`, async () => (await statusOf(id)) !== 'SUBMITTED', 15_000)
  const submit = (id: string, sku: string, quantity: number) =>
    t.db.transaction((tx) => submitForNeed(tx, { id, destinationLocationId: EAST, supplierId: 'sup_acme', needKey: `test/${id}`, expectedAt: new Date(Date.UTC(2026, 11, 20)), sku, quantity }))
  const incomingOf = async (sku: string) => (await levelSnapshot(t.app, sku, EAST, staff())).quantities['INCOMING'] ?? NaN
  const eventsOf = async (id: string) => (await t.outbox()).filter((e) => e.aggregateType === 'Replenishment' && e.aggregateId === id)
  const ledgerGroupsOf = async (id: string) =>
    (await t.db.query<{ n: number }>(`select count(*)::int as n from inventory.adjustment_groups where reference_document_uri = $1`, [`gid://inventory/Replenishment/${id}`])).rows[0]?.n
  const mutate = (name: string, id: string) =>
    execute(t.app, `mutation($id: ID!, $key: ID!) { ${name}(id: $id, idempotencyKey: $key) { ${PO_FIELDS} } }`, { id, key: randomUUID() }, staff()).then((r) => r.data?.[name])

  it('sets a policy to AUTO through the graph and reads it back; SUGGEST is the default; AUTO needs a supplier', async () => {
    const sku = fresh[5]!.sku
    const auto = await execute(t.app, SET, { input: policyInput(sku, { mode: 'AUTO' }) }, staff())
    assert.deepEqual(auto.data?.['replenishmentPolicySet'], { policy: { mode: 'AUTO', supplierId: 'sup_acme' }, userErrors: [] })
    const read = await execute(t.app, POLICY, { r: [{ __typename: 'ProductVariant', sku }] }, staff())
    assert.equal(read.errors, undefined)
    const node = read.data?.['_entities'][0].stock.nodes[0]
    assert.deepEqual(node.replenishmentPolicy, { mode: 'AUTO' })
    // the demo store's orders to this level, open ones only
    assert.ok(node.purchaseOrders.every((o: { status: string }) => ['ORDERED', 'PARTIALLY_RECEIVED'].includes(o.status)), JSON.stringify(node.purchaseOrders))
    const suggest = await execute(t.app, SET, { input: policyInput(sku) }, staff())
    assert.equal(suggest.data?.['replenishmentPolicySet'].policy.mode, 'SUGGEST')
    const { rows } = await t.db.query<{ mode: string }>(`select mode from inventory.replenishment_policies where sku = $1`, [sku])
    assert.deepEqual(rows, [{ mode: 'SUGGEST' }])
    // a deployment without SUPPLIER_URL
    const { idempotencyKey: _key, ...input } = policyInput(sku, { mode: 'AUTO' })
    const refused = await t.db.transaction((tx) => setReplenishmentPolicy(tx, input as never, false))
    assert.deepEqual(refused.userErrors.map((e) => [e.code, e.field]), [['SUPPLIER_NOT_CONFIGURED', ['input', 'mode']]])
  })

  it('places one order per need, once, however order events are redelivered or race each other', async () => {
    const level = fresh[0]!
    const { sku } = level
    await t.db.transaction((tx) =>
      applyLevelChangesOrThrow(tx, { reason: 'CORRECTION', referenceDocumentUri: null, actor: null, changes: [{ sku, locationId: EAST, name: 'AVAILABLE', delta: 150 - level.available }] }),
    )
    assert.deepEqual((await execute(t.app, SET, { input: policyInput(sku, { mode: 'AUTO' }) }, staff())).data?.['replenishmentPolicySet'].userErrors, [])
    const incomingBefore = await incomingOf(sku)
    const ordersBefore = supplier.distinctOrders
    const envelopeOf = (day: number, suffix: string, quantity: number) => orderPlacedEvent({ tag: `a${day}${suffix}`, day, sku, locationId: EAST, quantity })
    for (let day = TODAY - 21; day < TODAY; day++) await bus.publish(envelopeOf(day, '', 5 + (day % 3)))

    // a second replica's consumer on a bus of its own, over the same database
    const other = createInProcessBus()
    const record = (o: unknown) => problems.push(o)
    const logger = { level: 'silent', info() {}, debug() {}, trace() {}, silent() {}, warn: record, error: record, fatal: record, child: () => logger }
    const replica: ConsumerHandle = await startConsumer({ db: t.test.db, bus: other, schema: 'inventory', logger: logger as never, maxDeliveries: 3, backoffMs: () => 5 }, orderEventsHandler)
    try {
      const same = envelopeOf(TODAY, 'x', 6)
      const [first, second] = [envelopeOf(TODAY, 'y', 4), envelopeOf(TODAY, 'z', 5)]
      // one event delivered to both replicas at once, and two events of the same level racing
      await Promise.all([bus.publish(same), other.publish(same), bus.publish(first), other.publish(second)])
      await bus.publish(same)
    } finally {
      await replica.stop()
      await other.close()
    }
    assert.deepEqual(problems, [])

    const { rows } = await t.db.query<{ id: string; need_key: string }>(
      `select r.id, r.need_key from inventory.replenishments r join inventory.replenishment_lines l on l.replenishment_id = r.id
       where l.sku = $1 and r.destination_location_id = $2 and r.need_key is not null order by r.created_at`,
      [sku, EAST],
    )
    assert.ok(rows.length >= 1, 'an order was placed')
    assert.equal(new Set(rows.map((r) => r.need_key)).size, rows.length, 'one order per need')
    await t.app.relay?.flush()
    for (const { id } of rows) await answered(id)
    let placedUnits = 0
    for (const { id } of rows) {
      const order = await orderOf(id)
      assert.ok(['ORDERED', 'PLACEMENT_FAILED'].includes(order.status), order.status)
      assert.equal(order.placement.idempotencyKey, id)
      assert.ok(supplier.answerOf(id), 'the supplier has the order')
      const events = await eventsOf(id)
      assert.deepEqual(events.filter((e) => e.type === 'PurchaseOrderSubmitted').length, 1)
      assert.deepEqual(events.filter((e) => e.type === 'PurchaseOrderPlaced').length, order.status === 'ORDERED' ? 1 : 0)
      assert.equal(await ledgerGroupsOf(id), order.status === 'ORDERED' ? 1 : 0)
      if (order.status === 'ORDERED') placedUnits += order.lines[0].quantity
    }
    assert.equal(supplier.distinctOrders - ordersBefore, rows.length, 'the supplier took each order once')
    assert.equal(await incomingOf(sku), incomingBefore + placedUnits, 'INCOMING rose by the accepted units, once per order')
  })

  it('raises INCOMING by the accepted units only when the supplier accepts part of the order', async () => {
    const sku = fresh[1]!.sku
    const id = builtinKeyWith('partial', 'repl_partial')
    const incomingBefore = await incomingOf(sku)
    assert.equal(await submit(id, sku, 31), true)
    // the same need again: nothing more
    assert.equal(await t.db.transaction((tx) => submitForNeed(tx, { id: `${id}-again`, destinationLocationId: EAST, supplierId: 'sup_acme', needKey: `test/${id}`, expectedAt: new Date(), sku, quantity: 31 })), false)
    await t.app.relay?.flush()
    await answered(id)
    const order = await orderOf(id)
    assert.equal(order.status, 'ORDERED')
    assert.deepEqual(order.lines, [{ quantity: 20, requestedQuantity: 31, receivedQuantity: 0 }])
    assert.equal(order.expectedAt, '2026-12-22T00:00:00.000Z', 'the date the supplier promised')
    assert.equal(order.placement.attempts, 1)
    assert.equal(order.placement.lastError, null)
    assert.match(order.placement.supplierReference, /^SUP-[0-9A-F]{12}$/)
    assert.equal(await incomingOf(sku), incomingBefore + 20)
    const placed = (await eventsOf(id)).filter((e) => e.type === 'PurchaseOrderPlaced')
    assert.deepEqual(placed.map((e) => e.payload), [{
      replenishmentId: id, supplierId: 'sup_acme', destinationLocationId: EAST, expectedAt: '2026-12-22T00:00:00.000Z',
      lines: [{ sku, quantity: 20 }], supplierReference: order.placement.supplierReference, requestedLines: [{ sku, quantity: 31 }],
    }])
    // receiving is as before: INCOMING → AVAILABLE
    const received = await execute(t.app, `mutation($input: PurchaseOrderReceiveInput!) { purchaseOrderReceive(input: $input) { ${PO_FIELDS} } }`,
      { input: { idempotencyKey: randomUUID(), id, lines: [{ sku, quantity: 20 }] } }, staff())
    assert.deepEqual(received.data?.['purchaseOrderReceive'], { replenishment: { id, status: 'RECEIVED' }, userErrors: [] })
    assert.equal(await incomingOf(sku), incomingBefore)
  })

  it('applies a late acknowledgement once: the timed-out placement is retried under its key, and racing workers record one answer', async () => {
    const sku = fresh[2]!.sku
    const id = builtinKeyWith('late', 'repl_late')
    const incomingBefore = await incomingOf(sku)
    const [requestsBefore, ordersBefore] = [supplier.requests, supplier.distinctOrders]
    assert.equal(await submit(id, sku, 24), true)
    // two more workers that may take the order at the same moment (no lease), beside the app's own
    const adapter = () => resilientSupplier(httpSupplier({ url: `http://127.0.0.1:${supplierPort}`, apiKey: null }), { timeoutMs: TIMEOUT_MS, retries: 2, backoffMs: () => 10 })
    const logger = { info() {}, warn() {}, error: (o: unknown) => problems.push(o) }
    const workers = [0, 1].map(() => startPlacementWorker({ db: t.test.db, supplier: adapter(), maxAttempts: ATTEMPTS, leaseMs: 0, retryBaseMs: 10, logger, sweepMs: 0 }))
    try {
      // whichever takes it first (the app's own worker may have, woken by PurchaseOrderSubmitted),
      // the others race it while the supplier holds its first answer back
      const taken = await Promise.all([...workers.map((w, i) => sleep(30 * i).then(() => w.runOnce())), t.app.placementWorker!.runOnce()])
      assert.ok(taken.reduce((a, b) => a + b, 0) >= 1, `the order was taken: ${taken}`)
    } finally {
      await Promise.all(workers.map((w) => w.stop()))
    }
    await answered(id)
    const order = await orderOf(id)
    assert.equal(order.status, 'ORDERED')
    assert.deepEqual(order.lines, [{ quantity: 24, requestedQuantity: 24, receivedQuantity: 0 }])
    assert.ok(supplier.requests - requestsBefore >= 2, 'the first attempt timed out and was asked again')
    assert.equal(supplier.distinctOrders - ordersBefore, 1, 'the supplier took the order once')
    assert.equal(await incomingOf(sku), incomingBefore + 24, 'INCOMING rose once')
    assert.equal(await ledgerGroupsOf(id), 1)
    await t.app.relay?.flush()
    assert.equal((await eventsOf(id)).filter((e) => e.type === 'PurchaseOrderPlaced').length, 1)
    assert.deepEqual(problems, [])
  })

  it('keeps an order SUBMITTED while the supplier is down, asks again under the same key, and places it once the supplier is back', async () => {
    const sku = fresh[3]!.sku
    const id = builtinKeyWith('accept', 'repl_down')
    const incomingBefore = await incomingOf(sku)
    await supplier.close()
    assert.equal(await submit(id, sku, 36), true)
    await t.app.relay?.flush()
    await eventually('two placements without an answer', async () => (await orderOf(id)).placement.attempts >= 2, 10_000)
    const pending = await orderOf(id)
    assert.equal(pending.status, 'SUBMITTED')
    assert.equal(pending.placement.lastError, 'the supplier refused the connection')
    assert.equal(await incomingOf(sku), incomingBefore, 'nothing is INCOMING before the supplier answers')
    // being placed: staff wait for the answer
    assert.deepEqual((await mutate('purchaseOrderCancel', id)).userErrors, [{ code: 'REPLENISHMENT_NOT_CANCELLABLE', field: ['id'] }])
    await supplier.listen('127.0.0.1', supplierPort)
    await answered(id)
    const order = await orderOf(id)
    assert.equal(order.status, 'ORDERED')
    assert.equal(order.placement.idempotencyKey, id)
    assert.equal(order.placement.lastError, null)
    assert.ok(supplier.answerOf(id))
    assert.equal(await incomingOf(sku), incomingBefore + 36)
  })

  it('ends a placement nobody answers, or the supplier rejects, in PLACEMENT_FAILED, which staff retry (same key after no answer, a new one after a rejection) or cancel', async () => {
    const sku = fresh[4]!.sku
    const incomingBefore = await incomingOf(sku)
    const silent = builtinKeyWith('accept', 'repl_silent')
    await supplier.close()
    assert.equal(await submit(silent, sku, 12), true)
    await t.app.relay?.flush()
    await answered(silent)
    const failed = await orderOf(silent)
    assert.equal(failed.status, 'PLACEMENT_FAILED')
    assert.equal(failed.placement.attempts, ATTEMPTS)
    assert.match(failed.placement.lastError, /^no answer from the supplier after 6 placements \(last: the supplier refused the connection\)/)
    assert.doesNotMatch(failed.placement.lastError, /127\.0\.0\.1|http/)
    await supplier.listen('127.0.0.1', supplierPort)
    assert.deepEqual(await mutate('purchaseOrderRetryPlacement', silent), { replenishment: { id: silent, status: 'SUBMITTED' }, userErrors: [] })
    await answered(silent)
    const retried = await orderOf(silent)
    assert.equal(retried.status, 'ORDERED')
    assert.equal(retried.placement.idempotencyKey, silent, 'asked under the same key: the supplier may have had it')
    assert.deepEqual(await mutate('purchaseOrderRetryPlacement', silent), { replenishment: { id: silent, status: 'ORDERED' }, userErrors: [] })

    const rejected = builtinKeyWith('reject', 'repl_rejected')
    assert.equal(await submit(rejected, sku, 12), true)
    await t.app.relay?.flush()
    await answered(rejected)
    const refused = await orderOf(rejected)
    assert.equal(refused.status, 'PLACEMENT_FAILED')
    assert.equal(refused.placement.lastError, 'the supplier rejected the order: DISCONTINUED: the supplier no longer makes this')
    assert.equal((await mutate('purchaseOrderRetryPlacement', rejected)).replenishment.status, 'SUBMITTED')
    await answered(rejected)
    const again = await orderOf(rejected)
    assert.notEqual(again.placement.idempotencyKey, rejected, 'a rejection is asked again under a new key')
    assert.ok(supplier.answerOf(again.placement.idempotencyKey))

    const cancelled = builtinKeyWith('reject', 'repl_cancelled')
    await submit(cancelled, sku, 12)
    await t.app.relay?.flush()
    await answered(cancelled)
    assert.deepEqual(await mutate('purchaseOrderCancel', cancelled), { replenishment: { id: cancelled, status: 'CANCELLED' }, userErrors: [] })
    assert.deepEqual((await mutate('purchaseOrderRetryPlacement', cancelled)).userErrors, [{ code: 'REPLENISHMENT_NOT_RETRYABLE', field: ['id'] }])
    assert.deepEqual((await mutate('purchaseOrderRetryPlacement', 'repl_nowhere')).userErrors, [{ code: 'UNKNOWN_REPLENISHMENT', field: ['id'] }])

    const ordered = (await orderOf(silent)).lines[0].quantity + ((await orderOf(rejected)).status === 'ORDERED' ? (await orderOf(rejected)).lines[0].quantity : 0)
    assert.equal(await incomingOf(sku), incomingBefore + ordered)
    // staff find the orders to act on at the level
    const listed = await execute(t.app, `query($r: [_Any!]!) { _entities(representations: $r) { ... on ProductVariant { stock(locationIds: ["${EAST}"]) { nodes {
      purchaseOrders(statuses: [CANCELLED, ORDERED]) { id status } } } } } }`, { r: [{ __typename: 'ProductVariant', sku }] }, staff())
    assert.equal(listed.errors, undefined)
    const ids = listed.data?.['_entities'][0].stock.nodes[0].purchaseOrders.map((o: { id: string }) => o.id)
    assert.ok(ids.includes(silent) && ids.includes(cancelled), JSON.stringify(ids))
  })

  it('shows the placement to staff only', async () => {
    const { data, errors } = await execute(t.app, ORDER, { r: [{ __typename: 'Replenishment', id: builtinKeyWith('partial', 'repl_partial') }] })
    assert.equal(data?.['_entities'][0].status, 'RECEIVED')
    assert.deepEqual(errors?.map((e) => e.extensions?.['code']), ['UNAUTHENTICATED'])
  })
})
