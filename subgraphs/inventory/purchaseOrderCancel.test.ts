import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import type { Bus } from '../../platform/bus.ts'
import { createInProcessBus } from '../../platform/inProcessBus.ts'
import { eventually, execute, openSubgraphTestApp, staff, testConfig, type SubgraphTestApp } from '../../platform/testing.ts'
import { buildWorld } from '../../seed/world.ts'
import { submitForNeed } from './consumers/suggestReplenishment.ts'
import { tellSupplier } from './mutations/purchaseOrderCancel.ts'
import { inventory } from './subgraph.ts'
import { builtinKeyWith, createBuiltinSupplier } from './suppliers/builtinSupplier.ts'
import { freshLevels, levelSnapshot } from './testSupport.ts'

const world = buildWorld()
const EAST = 'loc_wh_east'
const fresh = freshLevels(world, EAST)
const TIMEOUT_MS = 200
const OPEN_MS = 100

const CANCEL = `mutation($id: ID!, $key: ID!) { purchaseOrderCancel(id: $id, idempotencyKey: $key) { replenishment { id status } userErrors { code field message } } }`

describe('cancelling an AUTO purchase order tells the supplier first', () => {
  const supplier = createBuiltinSupplier({ lateDelayMs: 3 * TIMEOUT_MS })
  let supplierPort = 0
  let bus: Bus
  let t: SubgraphTestApp

  before(async () => {
    const url = await supplier.listen('127.0.0.1', 0)
    supplierPort = Number(new URL(url).port)
    bus = createInProcessBus()
    const config = { ...testConfig, supplierUrl: url, supplierTimeoutMs: TIMEOUT_MS, supplierRetries: 1, circuitOpenMs: OPEN_MS, supplierPlacementAttempts: 3 }
    t = await openSubgraphTestApp(inventory, { deps: { bus, config } })
    await t.app.ready()
  })
  after(async () => {
    await t.close()
    await bus.close()
    await supplier.close()
  })

  const statusOf = async (id: string) => (await t.db.query<{ status: string }>(`select status from inventory.replenishments where id = $1`, [id])).rows[0]?.status
  const incomingOf = async (sku: string) => (await levelSnapshot(t.app, sku, EAST, staff())).quantities['INCOMING'] ?? NaN
  const cancel = async (id: string, key: string = randomUUID()) => {
    const { data, errors } = await execute(t.app, CANCEL, { id, key }, staff())
    assert.equal(errors, undefined)
    return data?.['purchaseOrderCancel']
  }
  /** An AUTO order for `quantity` of `sku`, placed with the built-in supplier under `id`, once it has its answer. */
  const placed = async (id: string, sku: string, quantity: number) => {
    const submitted = await t.db.transaction((tx) =>
      submitForNeed(tx, { id, destinationLocationId: EAST, supplierId: 'sup_acme', needKey: `test/${id}`, expectedAt: new Date(Date.UTC(2026, 11, 20)), sku, quantity }),
    )
    assert.equal(submitted, true)
    await t.app.relay?.flush()
    await eventually(`${id} answered`, async () => (await statusOf(id)) !== 'SUBMITTED', 15_000)
  }

  it('cancels with the supplier, then here: CANCELLED, INCOMING lowered, and a replay or another request asks the supplier no more', async () => {
    const sku = fresh[0]!.sku
    const id = builtinKeyWith('accept', 'repl_cancel', 'cancel')
    const incomingBefore = await incomingOf(sku)
    await placed(id, sku, 24)
    assert.equal(await statusOf(id), 'ORDERED')
    assert.equal(await incomingOf(sku), incomingBefore + 24)
    const cancellationsBefore = supplier.distinctCancellations
    const key = randomUUID()
    assert.deepEqual(await cancel(id, key), { replenishment: { id, status: 'CANCELLED' }, userErrors: [] })
    assert.equal(supplier.isCancelled(id), true, 'the supplier holds it as cancelled')
    assert.equal(supplier.distinctCancellations - cancellationsBefore, 1)
    assert.equal(await incomingOf(sku), incomingBefore, 'its units left INCOMING')
    const requests = supplier.requests
    // the same key replays; another key finds it CANCELLED: neither asks the supplier
    assert.deepEqual(await cancel(id, key), { replenishment: { id, status: 'CANCELLED' }, userErrors: [] })
    assert.deepEqual(await cancel(id), { replenishment: { id, status: 'CANCELLED' }, userErrors: [] })
    assert.equal(supplier.requests, requests)
    assert.equal(await incomingOf(sku), incomingBefore)
  })

  it('lowers INCOMING by the units still open when a partly received order is cancelled', async () => {
    const sku = fresh[1]!.sku
    const id = builtinKeyWith('accept', 'repl_cancel_partial', 'cancel')
    const incomingBefore = await incomingOf(sku)
    await placed(id, sku, 30)
    const received = await execute(t.app, `mutation($input: PurchaseOrderReceiveInput!) { purchaseOrderReceive(input: $input) { replenishment { status } userErrors { code } } }`,
      { input: { idempotencyKey: randomUUID(), id, lines: [{ sku, quantity: 10 }] } }, staff())
    assert.deepEqual(received.data?.['purchaseOrderReceive'], { replenishment: { status: 'PARTIALLY_RECEIVED' }, userErrors: [] })
    assert.equal((await cancel(id)).replenishment.status, 'CANCELLED')
    assert.equal(supplier.isCancelled(id), true)
    assert.equal(await incomingOf(sku), incomingBefore)
  })

  it('changes nothing when the supplier refuses, and says why without its address', async () => {
    const sku = fresh[2]!.sku
    const id = builtinKeyWith('accept', 'repl_cancel_shipped', 'shipped')
    await placed(id, sku, 12)
    const incoming = await incomingOf(sku)
    const refused = await cancel(id)
    assert.equal(refused.replenishment, null)
    assert.deepEqual(refused.userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field]), [['SUPPLIER_REFUSED_CANCEL', ['id']]])
    assert.match(refused.userErrors[0].message, /ALREADY_SHIPPED: the order has already shipped/)
    assert.doesNotMatch(refused.userErrors[0].message, new RegExp(`127\\.0\\.0\\.1|${supplierPort}|http`))
    assert.equal(await statusOf(id), 'ORDERED')
    assert.equal(await incomingOf(sku), incoming)
    assert.equal(supplier.isCancelled(id), false)
  })

  it('changes nothing while the supplier is down, and cancels on a retry with the same key once it is back', async () => {
    const sku = fresh[3]!.sku
    const id = builtinKeyWith('accept', 'repl_cancel_down', 'cancel')
    await placed(id, sku, 36)
    const incoming = await incomingOf(sku)
    const key = randomUUID()
    await supplier.close()
    let unavailable
    try {
      unavailable = await cancel(id, key)
    } finally {
      await supplier.listen('127.0.0.1', supplierPort)
    }
    assert.equal(unavailable.replenishment, null)
    assert.deepEqual(unavailable.userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field]), [['SUPPLIER_UNAVAILABLE', ['id']]])
    assert.match(unavailable.userErrors[0].message, /the supplier refused the connection.*retry .*with the same idempotency key/)
    assert.doesNotMatch(unavailable.userErrors[0].message, new RegExp(`127\\.0\\.0\\.1|${supplierPort}|http`))
    assert.equal(await statusOf(id), 'ORDERED')
    assert.equal(await incomingOf(sku), incoming)
    assert.equal(supplier.isCancelled(id), false)
    // the breaker opened after the failed attempts: past its open time it lets the retry through
    await new Promise((resolve) => setTimeout(resolve, OPEN_MS + 20))
    const cancellationsBefore = supplier.distinctCancellations
    assert.deepEqual(await cancel(id, key), { replenishment: { id, status: 'CANCELLED' }, userErrors: [] })
    assert.equal(supplier.isCancelled(id), true)
    assert.equal(supplier.distinctCancellations - cancellationsBefore, 1)
    assert.equal(await incomingOf(sku), incoming - 36)
  })

  it('cancels an order no supplier accepted without asking one', async () => {
    const sku = fresh[4]!.sku
    const rejected = builtinKeyWith('reject', 'repl_cancel_rejected')
    await placed(rejected, sku, 12)
    assert.equal(await statusOf(rejected), 'PLACEMENT_FAILED')
    const requests = supplier.requests
    assert.deepEqual(await cancel(rejected), { replenishment: { id: rejected, status: 'CANCELLED' }, userErrors: [] })
    assert.equal(supplier.requests, requests, 'the supplier was not asked')
  })

  it('refuses to cancel an accepted order when no supplier is configured to tell', async () => {
    const sku = fresh[5]!.sku
    const id = builtinKeyWith('accept', 'repl_cancel_unconfigured', 'cancel')
    await placed(id, sku, 12)
    const notice = await tellSupplier(t.db, null, id)
    assert.equal(notice.kind === 'refused' && notice.error.code, 'SUPPLIER_NOT_CONFIGURED')
    assert.equal(await statusOf(id), 'ORDERED')
  })
})
