import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildWorld } from '../../seed/world.ts'
import { demandStateOf } from './demand.ts'
import { demandOf, seedInventory } from './seed.ts'
import { demandByLevels } from './store/demandStore.ts'
import { inventoryDatabaseForSuite } from './testSupport.ts'

const world = buildWorld()

describe('inventory seed', () => {
  const t = inventoryDatabaseForSuite()

  const count = async (table: string) => (await t.db.query<{ n: number }>(`select count(*)::int as n from inventory.${table}`)).rows[0]?.n

  it('writes the world\'s locations, an item per variant, its levels, reservations and allocations', async () => {
    assert.equal(await count('locations'), world.locations.length)
    assert.equal(await count('inventory_items'), world.variants.length)
    assert.equal(await count('inventory_levels'), world.stockLevels.length)
    assert.equal(await count('reservations'), world.reservations.length)
    assert.equal(await count('allocations'), world.orders.flatMap((o) => o.lineItems).length)
    const { rows } = await t.db.query<{ sku: string; location_id: string; available: number; committed: number; damaged: number }>(
      `select sku, location_id, available, committed, damaged from inventory.inventory_levels`,
    )
    const stored = new Map(rows.map((r) => [`${r.sku}@${r.location_id}`, r]))
    for (const s of world.stockLevels) {
      const row = stored.get(`${s.sku}@${s.locationId}`)
      assert.deepEqual([row?.available, row?.committed, row?.damaged], [s.available, s.committed, s.damaged], `${s.sku}@${s.locationId}`)
    }
  })

  it('backs every level\'s INCOMING with exactly the open quantity of open replenishments', async () => {
    const { rows } = await t.db.query<{ sku: string; location_id: string; incoming: number; open: number }>(
      `select l.sku, l.location_id, l.incoming, coalesce(o.open, 0)::int as open
       from inventory.inventory_levels l
       left join (
         select rl.sku, r.destination_location_id as location_id, sum(rl.quantity - rl.received_quantity) as open
         from inventory.replenishments r join inventory.replenishment_lines rl on rl.replenishment_id = r.id
         where r.status in ('ORDERED', 'IN_TRANSIT', 'PARTIALLY_RECEIVED')
         group by rl.sku, r.destination_location_id
       ) o on o.sku = l.sku and o.location_id = l.location_id
       where l.incoming <> coalesce(o.open, 0)`,
    )
    assert.deepEqual(rows, [])
    assert.ok(world.stockLevels.some((s) => s.incoming > 0))
  })

  it('backs every level\'s RESERVED with its active reservations', async () => {
    const { rows } = await t.db.query(
      `select l.sku from inventory.inventory_levels l
       left join (select sku, location_id, sum(quantity) as held from inventory.reservations where status = 'ACTIVE' group by sku, location_id) r
         on r.sku = l.sku and r.location_id = l.location_id
       where l.reserved <> coalesce(r.held, 0)`,
    )
    assert.deepEqual(rows, [])
  })

  it('books the demo orders\' demand per level, with a model fitted on it, and a cancellation day on each allocation', async () => {
    const expected = demandOf(world)
    assert.equal(await count('demand'), expected.length)
    assert.ok(expected.some((d) => d.state.model.kind !== 'NONE'))
    const rows = await demandByLevels(t.db, expected.map(({ sku, locationId }) => ({ sku, locationId })))
    const stored = new Map(rows.map((r) => [`${r.sku}@${r.locationId}`, demandStateOf(r)]))
    for (const d of expected) assert.deepEqual(stored.get(`${d.sku}@${d.locationId}`), JSON.parse(JSON.stringify(d.state)))
    const { rows: undated } = await t.db.query(`select 1 from inventory.allocations where demand_day is null`)
    assert.deepEqual(undated, [])
  })

  it('does nothing without reset when data is there, and rewrites the store with reset, quickly', async () => {
    await t.db.query(`update inventory.inventory_levels set available = available + 1 where sku = $1`, [world.variants[0]?.sku])
    await seedInventory(t.db, { reset: false })
    const changed = await t.db.query<{ available: number }>(`select available from inventory.inventory_levels where sku = $1 and location_id = 'loc_wh_east'`, [world.variants[0]?.sku])
    const seeded = world.stockLevels.find((s) => s.sku === world.variants[0]?.sku && s.locationId === 'loc_wh_east')
    assert.equal(changed.rows[0]?.available, (seeded?.available ?? NaN) + 1)
    await seedInventory(t.db, { reset: true })
    const reset = await t.db.query<{ available: number; version: string }>(
      `select available, version::text as version from inventory.inventory_levels where sku = $1 and location_id = 'loc_wh_east'`, [world.variants[0]?.sku],
    )
    assert.deepEqual(reset.rows[0], { available: seeded?.available, version: '1' })
  })

})
