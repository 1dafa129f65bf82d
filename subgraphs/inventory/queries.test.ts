import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { encodeCursor } from '../../platform/pagination.ts'
import { customer, execute, partner, staff, testConfig, viewer } from '../../platform/testing.ts'
import { buildWorld } from '../../seed/world.ts'
import { inventoryAppForSuite } from './testSupport.ts'

const world = buildWorld()
const LEVEL_FIELDS = `id version updatedAt item { sku } location { id } quantities { name quantity }`

describe('inventory queries', () => {
  const t = inventoryAppForSuite()

  describe('location and locations', () => {
    it('returns a location with every field, to anonymous viewers too', async () => {
      const { data, errors } = await execute(t.app, `{ location(id: "loc_wh_eu") { id name type active fulfillsOnlineOrders countryCode } }`)
      assert.equal(errors, undefined)
      assert.deepEqual(data?.['location'], {
        id: 'loc_wh_eu', name: 'Rotterdam Fulfillment Center', type: 'THIRD_PARTY_LOGISTICS', active: true, fulfillsOnlineOrders: true, countryCode: 'NL',
      })
    })

    it('returns null for an unknown location', async () => {
      const { data, errors } = await execute(t.app, `{ location(id: "loc_nowhere") { id } }`)
      assert.equal(errors, undefined)
      assert.equal(data?.['location'], null)
    })

    it('lists every location ordered by id, filtered by type and active', async () => {
      const all = await execute(t.app, `{ locations { id } }`)
      assert.deepEqual(all.data?.['locations'].map((l: { id: string }) => l.id), world.locations.map((l) => l.id).sort())
      const stores = await execute(t.app, `{ locations(type: STORE) { id } }`)
      assert.deepEqual(stores.data?.['locations'], [{ id: 'loc_store_nyc' }])
      const inactive = await execute(t.app, `{ locations(active: false) { id } }`)
      assert.deepEqual(inactive.data?.['locations'], [])
    })
  })

  describe('inventoryLevels', () => {
    it('returns every state of a level with ON_HAND derived and INCOMING not on hand', async () => {
      const withIncoming = world.stockLevels.find((s) => s.incoming > 0 && s.reserved > 0) ?? world.stockLevels.find((s) => s.incoming > 0 && s.damaged > 0)
      assert.ok(withIncoming)
      const { data } = await execute(t.app, `query($skus: [String!]) { inventoryLevels(filter: { skus: $skus, locationIds: ["${withIncoming.locationId}"] }) { nodes { ${LEVEL_FIELDS} } } }`, {
        skus: [withIncoming.sku],
      })
      const [level] = data?.['inventoryLevels'].nodes ?? []
      const s = withIncoming
      assert.equal(level.id, `${s.sku}@${s.locationId}`)
      assert.deepEqual(level.item, { sku: s.sku })
      assert.deepEqual(level.location, { id: s.locationId })
      assert.equal(level.updatedAt, '2026-10-01T00:00:00.000Z')
      assert.match(level.version, /^\d+$/)
      assert.deepEqual(level.quantities, [
        { name: 'AVAILABLE', quantity: s.available },
        { name: 'ON_HAND', quantity: s.available + s.committed + s.reserved + s.damaged + s.safetyStock + s.qualityControl },
        { name: 'COMMITTED', quantity: s.committed },
        { name: 'RESERVED', quantity: s.reserved },
        { name: 'INCOMING', quantity: s.incoming },
        { name: 'DAMAGED', quantity: s.damaged },
        { name: 'SAFETY_STOCK', quantity: s.safetyStock },
        { name: 'QUALITY_CONTROL', quantity: s.qualityControl },
      ])
    })

    it('derives ON_HAND for every level of the world', async () => {
      const onHand = new Map<string, number>()
      let after: string | null = null
      do {
        const page: any = await execute(t.app, `query($after: String) { inventoryLevels(filter: {}, first: 100, after: $after) { nodes { id quantities(names: [ON_HAND]) { quantity } } pageInfo { hasNextPage endCursor } } }`, { after })
        for (const node of page.data.inventoryLevels.nodes) onHand.set(node.id, node.quantities[0].quantity)
        after = page.data.inventoryLevels.pageInfo.hasNextPage ? page.data.inventoryLevels.pageInfo.endCursor : null
      } while (after)
      assert.equal(onHand.size, world.stockLevels.length)
      for (const s of world.stockLevels) {
        assert.equal(onHand.get(`${s.sku}@${s.locationId}`), s.available + s.committed + s.reserved + s.damaged + s.safetyStock + s.qualityControl, `${s.sku}@${s.locationId}`)
      }
    })

    it('answers only the quantity names asked for, in the order asked', async () => {
      const { data } = await execute(t.app, `{ inventoryLevels(filter: { skus: ["APP-0001-S"], locationIds: ["loc_wh_east"] }) { nodes { quantities(names: [INCOMING, AVAILABLE]) { name } } } }`)
      assert.deepEqual(data?.['inventoryLevels'].nodes[0].quantities, [{ name: 'INCOMING' }, { name: 'AVAILABLE' }])
    })

    it('pages through levels ordered by sku then location with opaque cursors', async () => {
      const skus = ['APP-0001-S', 'APP-0001-M']
      const expected = world.stockLevels.filter((s) => skus.includes(s.sku)).map((s) => `${s.sku}@${s.locationId}`).sort()
      const first = await execute(t.app, `{ inventoryLevels(filter: { skus: ["APP-0001-S", "APP-0001-M"] }, first: 4) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`)
      const page1 = first.data?.['inventoryLevels']
      assert.deepEqual(page1.edges.map((e: any) => e.node.id), expected.slice(0, 4))
      assert.deepEqual([page1.pageInfo.hasNextPage, page1.pageInfo.hasPreviousPage], [true, false])
      const second = await execute(t.app, `query($after: String) { inventoryLevels(filter: { skus: ["APP-0001-S", "APP-0001-M"] }, first: 4, after: $after) { nodes { id } pageInfo { hasNextPage hasPreviousPage } } }`, {
        after: page1.pageInfo.endCursor,
      })
      assert.deepEqual(second.data?.['inventoryLevels'].nodes.map((n: any) => n.id), expected.slice(4))
      assert.deepEqual(second.data?.['inventoryLevels'].pageInfo, { hasNextPage: false, hasPreviousPage: true })
    })

    it('filters by location and by updatedSince', async () => {
      const eu = await execute(t.app, `{ inventoryLevels(filter: { skus: ["APP-0001-S", "HOM-0089-SLATE"], locationIds: ["loc_wh_eu"] }) { nodes { id } } }`)
      assert.deepEqual(eu.data?.['inventoryLevels'].nodes.map((n: any) => n.id), ['APP-0001-S@loc_wh_eu', 'HOM-0089-SLATE@loc_wh_eu'])
      const later = await execute(t.app, `{ inventoryLevels(filter: { updatedSince: "2026-10-01T00:00:01Z" }) { nodes { id } } }`)
      assert.deepEqual(later.data?.['inventoryLevels'].nodes, [])
    })

    it('with sinceVersion returns the levels changed after it, in version order', async () => {
      const { data } = await execute(t.app, `{ inventoryLevels(filter: { sinceVersion: "0" }, first: 5) { nodes { version } pageInfo { endCursor } } }`)
      const versions = data?.['inventoryLevels'].nodes.map((n: any) => Number(n.version))
      assert.deepEqual(versions, [1, 2, 3, 4, 5])
      const next = await execute(t.app, `query($after: String) { inventoryLevels(filter: { sinceVersion: "2" }, first: 3, after: $after) { nodes { version } } }`, {
        after: data?.['inventoryLevels'].pageInfo.endCursor,
      })
      assert.deepEqual(next.data?.['inventoryLevels'].nodes.map((n: any) => Number(n.version)), [6, 7, 8])
      const last = String(world.stockLevels.length)
      const none = await execute(t.app, `{ inventoryLevels(filter: { sinceVersion: "${last}" }) { nodes { id } pageInfo { hasNextPage } } }`)
      assert.deepEqual(none.data?.['inventoryLevels'], { nodes: [], pageInfo: { hasNextPage: false } })
    })

    it('refuses a page size over the maximum, a malformed cursor and a cursor of the other order', async () => {
      const big = await execute(t.app, `{ inventoryLevels(filter: {}, first: ${testConfig.maxPageSize + 1}) { nodes { id } } }`)
      assert.equal(big.errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
      const malformed = await execute(t.app, `{ inventoryLevels(filter: {}, after: "not-a-cursor") { nodes { id } } }`)
      assert.equal(malformed.errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
      const bySku = encodeCursor('InventoryLevelConnection', ['APP-0001-S', 'loc_wh_east'])
      const crossed = await execute(t.app, `query($after: String) { inventoryLevels(filter: { sinceVersion: "1" }, after: $after) { nodes { id } } }`, { after: bySku })
      assert.equal(crossed.errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
    })

    it('refuses a filter with more than 500 skus', async () => {
      const skus = Array.from({ length: 501 }, (_, i) => `SKU-${i}`)
      const { errors } = await execute(t.app, `query($skus: [String!]) { inventoryLevels(filter: { skus: $skus }) { nodes { id } } }`, { skus })
      assert.equal(errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
    })
  })

  describe('a partner limited to some locations', () => {
    const limited = viewer({ sub: 'partner_3pl', roles: ['partner'], scopes: ['stock:read'], locationIds: ['loc_wh_eu'] })

    it('sees only levels at its locations, whatever it filters on', async () => {
      const all = await execute(t.app, `{ inventoryLevels(filter: { skus: ["APP-0001-S"] }) { nodes { id } } }`, {}, limited)
      assert.deepEqual(all.data?.['inventoryLevels'].nodes, [{ id: 'APP-0001-S@loc_wh_eu' }])
      const other = await execute(t.app, `{ inventoryLevels(filter: { skus: ["APP-0001-S"], locationIds: ["loc_wh_east"] }) { nodes { id } } }`, {}, limited)
      assert.deepEqual(other.data?.['inventoryLevels'].nodes, [])
      const resync = await execute(t.app, `{ inventoryLevels(filter: { sinceVersion: "0" }, first: 100) { nodes { location { id } } } }`, {}, limited)
      const nodes = resync.data?.['inventoryLevels'].nodes ?? []
      // not vacuous: the page is full, all of it at the partner's one location
      assert.equal(nodes.length, Math.min(100, world.stockLevels.filter((l) => l.locationId === 'loc_wh_eu').length))
      assert.ok(nodes.every((n: any) => n.location.id === 'loc_wh_eu'))
    })

    it('sees the stock of variants only at its locations', async () => {
      const sku = 'APP-0001-S'
      const eu = world.stockLevels.find((s) => s.sku === sku && s.locationId === 'loc_wh_eu')
      const { data } = await execute(t.app, `{ _entities(representations: [{ __typename: "ProductVariant", sku: "${sku}" }]) { ... on ProductVariant { availableToSell stock { nodes { id } } } } }`, {}, limited)
      assert.deepEqual(data?.['_entities'], [{ availableToSell: eu?.available, stock: { nodes: [{ id: `${sku}@loc_wh_eu` }] } }])
    })

    it('leaves unrestricted partners, customers and staff seeing every location', async () => {
      for (const who of [partner(), customer('c_1001'), staff()]) {
        const { data } = await execute(t.app, `{ inventoryLevels(filter: { skus: ["APP-0001-S"] }) { nodes { id } } }`, {}, who)
        assert.equal(data?.['inventoryLevels'].nodes.length, 3)
      }
    })
  })
})
