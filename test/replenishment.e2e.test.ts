// AUTO replenishment across the stack: staff set a policy to AUTO through the gateway, an order
// recorded for a need reaches the stack's built-in supplier over real HTTP, and its acknowledgement
// (here a partial one) raises INCOMING by the accepted units, with the usual stock events.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import { eventually, metricValue, readOutbox } from '../platform/testing.ts'
import { buildWorld } from '../seed/world.ts'
import { submitForNeed } from '../subgraphs/inventory/consumers/suggestReplenishment.ts'
import { builtinKeyWith } from '../subgraphs/inventory/suppliers/builtinSupplier.ts'
import { asStaff, query, stackForTests } from './stack.ts'

const world = buildWorld()
const EAST = 'loc_wh_east'
const level = world.stockLevels.find((s) => s.locationId === EAST)!

const SET = `mutation ($input: ReplenishmentPolicySetInput!) { replenishmentPolicySet(input: $input) { policy { mode } userErrors { code field } } }`
const LEVEL = `query ($sku: String!) { inventoryLevels(filter: { skus: [$sku], locationIds: ["${EAST}"] }) { nodes {
  quantities(names: [INCOMING]) { quantity } replenishmentPolicy { mode }
  purchaseOrders(statuses: [SUBMITTED, ORDERED]) { id status lines { quantity requestedQuantity } placement { attempts supplierReference lastError } } } } }`

describe('AUTO replenishment through the gateway', () => {
  const stack = stackForTests()

  it('places an AUTO order with the built-in supplier and raises INCOMING by what it accepted', async () => {
    const set = await query(stack, SET, {
      input: { idempotencyKey: randomUUID(), sku: level.sku, locationId: EAST, supplierId: 'sup_acme', leadTimeDays: 5, reviewPeriodDays: 7, serviceLevel: 0.95, minimumOrderQuantity: 0, packSize: 1, mode: 'AUTO' },
    }, asStaff)
    assert.deepEqual(set.body.data?.['replenishmentPolicySet'], { policy: { mode: 'AUTO' }, userErrors: [] })
    const before = (await query(stack, LEVEL, { sku: level.sku }, asStaff)).body.data?.['inventoryLevels'].nodes[0]
    assert.deepEqual(before.replenishmentPolicy, { mode: 'AUTO' })

    const id = builtinKeyWith('partial', 'repl_e2e')
    const ordersBefore = stack.supplier.distinctOrders
    await stack.test.db.transaction((tx) =>
      submitForNeed(tx, { id, destinationLocationId: EAST, supplierId: 'sup_acme', needKey: `e2e/${id}`, expectedAt: new Date(Date.now() + 5 * 86_400_000), sku: level.sku, quantity: 30 }),
    )
    await stack.flushEvents()
    let order: { status: string; lines: unknown; placement: { attempts: number; supplierReference: string | null; lastError: string | null } } | undefined
    await eventually('the supplier answered', async () => {
      const { body } = await query(stack, LEVEL, { sku: level.sku }, asStaff)
      order = body.data?.['inventoryLevels'].nodes[0].purchaseOrders.find((o: { id: string }) => o.id === id)
      return order?.status === 'ORDERED'
    })
    assert.deepEqual(order?.lines, [{ quantity: 20, requestedQuantity: 30 }])
    assert.equal(order?.placement.attempts, 1)
    assert.equal(order?.placement.lastError, null)
    assert.equal(stack.supplier.distinctOrders - ordersBefore, 1)
    const after = (await query(stack, LEVEL, { sku: level.sku }, asStaff)).body.data?.['inventoryLevels'].nodes[0]
    assert.equal(after.quantities[0].quantity, before.quantities[0].quantity + 20)
    await stack.flushEvents()
    const events = await readOutbox(stack.test.db, 'inventory')
    const stock = events.filter((e) => e.type === 'StockLevelChanged' && e.payload.referenceDocumentUri === `gid://inventory/Replenishment/${id}`)
    assert.deepEqual(stock.map((e) => [e.payload.reason, e.payload.changes]), [['PURCHASE_ORDER', [{ name: 'INCOMING', before: before.quantities[0].quantity, after: before.quantities[0].quantity + 20 }]]])
    assert.equal(events.filter((e) => e.type === 'PurchaseOrderPlaced' && e.aggregateId === id).length, 1)
    const metrics = (await stack.subgraphs.inventory.inject({ method: 'GET', url: '/metrics' })).body
    assert.equal(metricValue(metrics, 'supplier_circuit_state', { state: 'closed' }), 1)
    assert.ok((metricValue(metrics, 'supplier_calls_total', { outcome: 'accepted' }) ?? 0) >= 1)
  })
})
