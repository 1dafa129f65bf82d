import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { customer, execute, partner, staff, viewer } from '../../platform/testing.ts'
import { ANONYMOUS } from '../../platform/viewer.ts'
import { buildWorld } from '../../seed/world.ts'
import { replenishmentsOf } from './seed.ts'
import { inventoryAppForSuite } from './testSupport.ts'

const world = buildWorld()
const ONLINE = new Set(world.locations.filter((l) => l.active && l.fulfillsOnlineOrders).map((l) => l.id))
const availableToSell = (sku: string, only?: string[]) =>
  world.stockLevels.filter((s) => s.sku === sku && ONLINE.has(s.locationId) && (!only || only.includes(s.locationId))).reduce((sum, s) => sum + s.available, 0)

const entities = (typename: string, fields: string) =>
  `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${typename} { ${fields} } } }`

describe('inventory entities', () => {
  const t = inventoryAppForSuite()

  describe('ProductVariant @key(sku)', () => {
    it('contributes the inventory item, availableToSell over online locations and stock', async () => {
      const sku = 'APP-0001-S'
      const { data, errors } = await execute(t.app, entities('ProductVariant', 'sku inventoryItem { sku tracked } availableToSell stock { nodes { id } pageInfo { hasNextPage } }'), {
        representations: [{ __typename: 'ProductVariant', sku }],
      })
      assert.equal(errors, undefined)
      assert.deepEqual(data?.['_entities'], [{
        sku,
        inventoryItem: { sku, tracked: true },
        availableToSell: availableToSell(sku),
        stock: { nodes: ['loc_store_nyc', 'loc_wh_east', 'loc_wh_eu'].map((l) => ({ id: `${sku}@${l}` })), pageInfo: { hasNextPage: false } },
      }])
    })

    it('counts a store that does not fulfill online orders in stock but not in availableToSell', async () => {
      const sku = 'APP-0001-S'
      const store = world.stockLevels.find((s) => s.sku === sku && s.locationId === 'loc_store_nyc')
      assert.ok(store && store.available > 0)
      const { data } = await execute(t.app, entities('ProductVariant', 'east: availableToSell(locationIds: ["loc_wh_east"]) store: availableToSell(locationIds: ["loc_store_nyc"])'), {
        representations: [{ __typename: 'ProductVariant', sku }],
      })
      assert.deepEqual(data?.['_entities'], [{ east: availableToSell(sku, ['loc_wh_east']), store: 0 }])
    })

    it('pages a variant\'s stock by location', async () => {
      const sku = 'APP-0001-S'
      const first = await execute(t.app, entities('ProductVariant', 'stock(first: 2) { nodes { id } pageInfo { hasNextPage endCursor } }'), {
        representations: [{ __typename: 'ProductVariant', sku }],
      })
      const page = first.data?.['_entities'][0].stock
      assert.deepEqual(page.nodes, [{ id: `${sku}@loc_store_nyc` }, { id: `${sku}@loc_wh_east` }])
      assert.equal(page.pageInfo.hasNextPage, true)
      const second = await execute(t.app, `query($r: [_Any!]!, $after: String) { _entities(representations: $r) { ... on ProductVariant { stock(first: 2, after: $after) { nodes { id } pageInfo { hasNextPage } } } } }`, {
        r: [{ __typename: 'ProductVariant', sku }], after: page.pageInfo.endCursor,
      })
      assert.deepEqual(second.data?.['_entities'][0].stock, { nodes: [{ id: `${sku}@loc_wh_eu` }], pageInfo: { hasNextPage: false } })
    })

    it('answers an unknown sku with no item, nothing to sell and no stock', async () => {
      const { data } = await execute(t.app, entities('ProductVariant', 'sku inventoryItem { sku } availableToSell stock { nodes { id } }'), {
        representations: [{ __typename: 'ProductVariant', sku: 'NOPE-1' }],
      })
      assert.deepEqual(data?.['_entities'], [{ sku: 'NOPE-1', inventoryItem: null, availableToSell: 0, stock: { nodes: [] } }])
    })

    it('resolves a page of 50 variants with a constant number of queries', async () => {
      const query = entities('ProductVariant', 'inventoryItem { sku variant { sku } } availableToSell online: availableToSell(locationIds: ["loc_wh_eu"]) stock(first: 2) { nodes { id location { name } item { tracked } quantities { quantity } } }')
      // each measure starts from an empty shared cache, so it counts what batching costs
      const cost = async (count: number) => {
        await t.app.cache?.clear()
        return loads(count)
      }
      const loads = async (count: number) => {
        const representations = world.variants.slice(0, count).map((v) => ({ __typename: 'ProductVariant', sku: v.sku }))
        const before = t.db.counter.queries
        const { data, errors } = await execute(t.app, query, { representations })
        assert.equal(errors, undefined)
        assert.equal(data?.['_entities'].length, count)
        return t.db.counter.queries - before
      }
      const few = await cost(5)
      const many = await cost(50)
      assert.equal(many, few)
      assert.ok(many <= 6, `50 variants cost ${many} queries`)
      assert.equal(await loads(50), 0, 'the same 50 again come from the shared cache')
    })
  })

  describe('InventoryItem @key(sku)', () => {
    it('resolves known skus, null for unknown, and references the catalog variant', async () => {
      const { data } = await execute(t.app, entities('InventoryItem', 'sku tracked variant { sku }'), {
        representations: [{ __typename: 'InventoryItem', sku: 'FTW-0045-40' }, { __typename: 'InventoryItem', sku: 'NOPE-1' }],
      })
      assert.deepEqual(data?.['_entities'], [{ sku: 'FTW-0045-40', tracked: true, variant: { sku: 'FTW-0045-40' } }, null])
    })
  })

  describe('Location @key(id)', () => {
    it('resolves known locations and null for unknown ones', async () => {
      const { data } = await execute(t.app, entities('Location', 'id name'), {
        representations: [{ __typename: 'Location', id: 'loc_store_nyc' }, { __typename: 'Location', id: 'loc_x' }],
      })
      assert.deepEqual(data?.['_entities'], [{ id: 'loc_store_nyc', name: 'New York Flagship Store' }, null])
    })
  })

  describe('Reservation @key(id)', () => {
    const seeded = world.reservations[0]
    assert.ok(seeded)
    const query = entities('Reservation', 'id item { sku } location { id } quantity status expiresAt referenceDocumentUri')
    const representations = [{ __typename: 'Reservation', id: 'res_0001' }, { __typename: 'Reservation', id: 'res_0002' }]

    it('resolves reservations for staff', async () => {
      const { data } = await execute(t.app, query, { representations: [representations[0]] }, staff())
      assert.deepEqual(data?.['_entities'], [{
        id: 'res_0001', item: { sku: seeded.sku }, location: { id: seeded.locationId }, quantity: seeded.quantity, status: 'ACTIVE',
        expiresAt: seeded.expiresAt.toISOString(), referenceDocumentUri: seeded.referenceDocumentUri,
      }])
    })

    it('resolves reservations for partners, only at their locations when limited', async () => {
      const open = await execute(t.app, entities('Reservation', 'id'), { representations }, partner())
      assert.deepEqual(open.data?.['_entities'], [{ id: 'res_0001' }, { id: 'res_0002' }])
      const limited = viewer({ sub: 'partner_3pl', roles: ['partner'], locationIds: ['loc_wh_east'] })
      const some = await execute(t.app, entities('Reservation', 'id location { id }'), { representations }, limited)
      assert.deepEqual(some.data?.['_entities'], [{ id: 'res_0001', location: { id: 'loc_wh_east' } }, null])
    })

    it('returns null to customers and anonymous viewers, as for an unknown id', async () => {
      for (const who of [customer('c_1001'), ANONYMOUS]) {
        const { data, errors } = await execute(t.app, entities('Reservation', 'id'), { representations }, who)
        assert.equal(errors, undefined)
        assert.deepEqual(data?.['_entities'], [null, null])
      }
      const unknown = await execute(t.app, entities('Reservation', 'id'), { representations: [{ __typename: 'Reservation', id: 'res_none' }] }, staff())
      assert.deepEqual(unknown.data?.['_entities'], [null])
    })
  })

  describe('InventoryAdjustmentGroup @key(id)', () => {
    it('resolves a ledger group for staff only', async () => {
      const adjusted = await execute(t.app, `mutation { inventoryAdjustQuantities(input: { idempotencyKey: "entities-1", reason: CYCLE_COUNT, referenceDocumentUri: "gid://wms/CycleCount/CC-9",
          changes: [{ sku: "OUT-0177-SMALL", locationId: "loc_wh_east", name: DAMAGED, delta: 2, changeFromQuantity: null }] }) { adjustmentGroup { id } userErrors { code } } }`, {}, staff())
      const id = adjusted.data?.['inventoryAdjustQuantities'].adjustmentGroup.id
      assert.match(id, /^adj_/)
      const damagedBefore = world.stockLevels.find((s) => s.sku === 'OUT-0177-SMALL' && s.locationId === 'loc_wh_east')?.damaged ?? NaN
      const query = entities('InventoryAdjustmentGroup', 'id reason referenceDocumentUri createdAt changes { item { sku } location { id } name delta quantityAfterChange }')
      const representations = [{ __typename: 'InventoryAdjustmentGroup', id }, { __typename: 'InventoryAdjustmentGroup', id: 'adj_none' }]
      const { data } = await execute(t.app, query, { representations }, staff())
      const [group, missing] = data?.['_entities'] ?? []
      assert.equal(missing, null)
      assert.equal(group.reason, 'CYCLE_COUNT')
      assert.equal(group.referenceDocumentUri, 'gid://wms/CycleCount/CC-9')
      assert.deepEqual(group.changes, [{ item: { sku: 'OUT-0177-SMALL' }, location: { id: 'loc_wh_east' }, name: 'DAMAGED', delta: 2, quantityAfterChange: damagedBefore + 2 }])
      for (const who of [partner(), customer('c_1001'), ANONYMOUS]) {
        const denied = await execute(t.app, query, { representations }, who)
        assert.deepEqual(denied.data?.['_entities'], [null, null])
      }
    })
  })

  describe('Replenishment @key(id)', () => {
    it('resolves a replenishment with its lines, and null for an unknown id', async () => {
      const seeded = replenishmentsOf(world).find((r) => r.status === 'IN_TRANSIT')
      assert.ok(seeded)
      const { data } = await execute(t.app, entities('Replenishment', 'id origin { id } destination { id } status expectedAt lines { item { sku } quantity receivedQuantity }'), {
        representations: [{ __typename: 'Replenishment', id: seeded.id }, { __typename: 'Replenishment', id: 'repl_none' }],
      })
      assert.deepEqual(data?.['_entities'], [{
        id: seeded.id, origin: { id: seeded.originLocationId }, destination: { id: seeded.destinationLocationId }, status: 'IN_TRANSIT',
        expectedAt: seeded.expectedAt.toISOString(), lines: seeded.lines.map((l) => ({ item: { sku: l.sku }, quantity: l.quantity, receivedQuantity: l.receivedQuantity })),
      }, null])
    })

    it('answers a purchase order with no origin', async () => {
      const po = replenishmentsOf(world).find((r) => r.originLocationId === null)
      const { data } = await execute(t.app, entities('Replenishment', 'origin { id }'), { representations: [{ __typename: 'Replenishment', id: po?.id }] })
      assert.deepEqual(data?.['_entities'], [{ origin: null }])
    })
  })

  describe('LineItem @key(id)', () => {
    it('contributes the allocations of the world\'s order lines, and none for an unknown line', async () => {
      const [line] = world.orders[0]?.lineItems ?? []
      assert.ok(line)
      const { data } = await execute(t.app, entities('LineItem', 'id allocations { location { id } quantity }'), {
        representations: [{ __typename: 'LineItem', id: line.id }, { __typename: 'LineItem', id: 'li_none' }],
      }, customer(world.orders[0]?.customerId ?? ''))
      assert.deepEqual(data?.['_entities'], [
        { id: line.id, allocations: [{ location: { id: line.locationId }, quantity: line.quantity }] },
        { id: 'li_none', allocations: [] },
      ])
    })

    it('hides allocations at other locations from a partner limited to some', async () => {
      const line = world.orders.flatMap((o) => o.lineItems).find((l) => l.locationId === 'loc_wh_east')
      const limited = viewer({ sub: 'partner_3pl', roles: ['partner'], locationIds: ['loc_wh_eu'] })
      const { data } = await execute(t.app, entities('LineItem', 'allocations { quantity }'), { representations: [{ __typename: 'LineItem', id: line?.id }] }, limited)
      assert.deepEqual(data?.['_entities'], [{ allocations: [] }])
    })
  })
})
