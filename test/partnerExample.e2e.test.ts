import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { followStockFeed, type StockEvent } from '../examples/partnerStockFeed.ts'
import { signToken } from '../gateway/auth.ts'
import { eventually } from '../platform/testing.ts'
import { buildWorld } from '../seed/world.ts'
import { asStaff, query, startStack, type Stack } from './stack.ts'

const world = buildWorld()

const SKU = 'APP-0003-M'
const ADJUST = `mutation ($input: InventoryAdjustInput!) { inventoryAdjustQuantities(input: $input) { userErrors { code message } } }`

describe('the example partner client (examples/partnerStockFeed.ts)', () => {
  let stack: Stack
  let dir: string
  let n = 0
  const adjust = async () => {
    const { body } = await query(stack, ADJUST, { input: { idempotencyKey: `example-${++n}`, reason: 'CORRECTION', changes: [{ sku: SKU, locationId: 'loc_wh_east', name: 'AVAILABLE', delta: -1, changeFromQuantity: null }] } }, asStaff)
    assert.deepEqual(body.data?.['inventoryAdjustQuantities']?.userErrors, [])
  }
  const waitFor = (what: string, check: () => boolean) => eventually(what, check, 15_000)
  before(async () => {
    // enforce: the example's operations must be the reviewed ones
    stack = await startStack({ gatewayConfig: { trustedDocuments: 'enforce', trustedDocumentsAllowStaff: true } })
    dir = mkdtempSync(join(tmpdir(), 'partner-feed-'))
  })
  after(async () => {
    await stack.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('applies every change once, in order, across a cut connection and a client restart', async () => {
    const url = await stack.gatewayWsUrl()
    const token = await signToken({ sub: 'partner_example', roles: ['partner'], scopes: ['stock:read'] }, stack.config)
    const applied: StockEvent[] = []
    const start = () =>
      followStockFeed({ url, token, filter: { skus: [SKU] }, statePath: join(dir, 'cursor.json'), apply: (event) => void applied.push(event), log: () => {} })
    let feed = start()
    const subscribed = () => stack.subgraphs.inventory.stockFeed?.subscriberCount === 1
    await waitFor('the subscription', subscribed)
    await adjust()
    await waitFor('the first event', () => applied.length === 1)

    // the connection is cut; changes happen before the client is back
    feed.client.terminate()
    await adjust()
    await adjust()
    await waitFor('the missed events', () => applied.length === 3)

    // the client process restarts: it resumes from the cursor it saved
    await feed.stop()
    await waitFor('the old subscription to go', () => stack.subgraphs.inventory.stockFeed?.subscriberCount === 0)
    await adjust()
    feed = start()
    await waitFor('the event missed while stopped', () => applied.length === 4)
    await adjust()
    await waitFor('a live event', () => applied.length === 5)
    await feed.stop()

    const available = applied.map((e) => e.changes.find((c) => c.name === 'AVAILABLE')?.after as number)
    assert.deepEqual(available, available.map((_, i) => (available[0] as number) - i), 'each change once, in order')
    assert.equal(new Set(applied.map((e) => e.eventId)).size, 5)
    // catalog's fields resolved per event: the variant's own product
    const product = world.products.find((p) => world.variants.some((v) => v.sku === SKU && v.productId === p.id))
    assert.deepEqual([...new Set(applied.map((e) => e.variant.product.title))], [product?.title])
  })
})
