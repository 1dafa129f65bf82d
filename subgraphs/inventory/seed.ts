import type { Database, Queryable } from '../../platform/db.ts'
import { buildWorld, WORLD_EPOCH, type World, type WorldStockLevel } from '../../seed/world.ts'

const DAY = 86_400_000

export interface SeedReplenishment {
  id: string
  originLocationId: string | null
  destinationLocationId: string
  status: 'ORDERED' | 'IN_TRANSIT' | 'PARTIALLY_RECEIVED' | 'RECEIVED'
  expectedAt: Date
  lines: { sku: string; quantity: number; receivedQuantity: number }[]
}

/** Already received on each line of a PARTIALLY_RECEIVED replenishment (what is left is INCOMING). */
const RECEIVED_SO_FAR = 10

/**
 * The purchase orders and transfers behind the world's INCOMING: one per destination and product
 * family, so that each level's INCOMING is exactly the open quantity (ordered minus received) of
 * the open replenishments bound for it. One RECEIVED order is history and adds nothing.
 */
export function replenishmentsOf(world: World): SeedReplenishment[] {
  const replenishments: SeedReplenishment[] = []
  const families = [...new Set(world.variants.map((v) => v.sku.split('-')[0] as string))]
  for (const destination of world.locations) {
    for (const family of families) {
      const levels = world.stockLevels.filter((s) => s.locationId === destination.id && s.incoming > 0 && s.sku.startsWith(`${family}-`))
      if (levels.length === 0) continue
      const n = replenishments.length
      const status = (['ORDERED', 'IN_TRANSIT', 'PARTIALLY_RECEIVED'] as const)[n % 3] as SeedReplenishment['status']
      const received = status === 'PARTIALLY_RECEIVED' ? RECEIVED_SO_FAR : 0
      const transferFrom = destination.id === 'loc_wh_east' ? 'loc_wh_eu' : 'loc_wh_east'
      replenishments.push({
        id: `repl_${String(n + 1).padStart(4, '0')}`,
        originLocationId: status === 'IN_TRANSIT' ? transferFrom : null,
        destinationLocationId: destination.id,
        status,
        expectedAt: new Date(WORLD_EPOCH.getTime() + (n + 3) * DAY),
        lines: levels.map((s) => ({ sku: s.sku, quantity: s.incoming + received, receivedQuantity: received })),
      })
    }
  }
  const history = world.stockLevels.filter((s) => s.locationId === 'loc_wh_east').slice(0, 3)
  replenishments.push({
    id: `repl_${String(replenishments.length + 1).padStart(4, '0')}`,
    originLocationId: null,
    destinationLocationId: 'loc_wh_east',
    status: 'RECEIVED',
    expectedAt: new Date(WORLD_EPOCH.getTime() - 30 * DAY),
    lines: history.map((s) => ({ sku: s.sku, quantity: 24, receivedQuantity: 24 })),
  })
  return replenishments
}

const TABLES = [
  'adjustment_changes', 'adjustment_groups', 'reservations', 'allocations', 'replenishment_lines', 'replenishments',
  'inventory_levels', 'inventory_items', 'locations', 'idempotency_keys', 'applied_order_documents',
].map((t) => `inventory.${t}`)

/** Writes inventory's part of the demo store, in one transaction, with one statement per table. */
export async function seedInventory(db: Database, { reset }: { reset: boolean }): Promise<void> {
  const world = buildWorld()
  await db.transaction(async (tx) => {
    if (reset) {
      // truncate, not delete: the ledger's triggers refuse row deletes
      await tx.query(`truncate ${TABLES.join(', ')} cascade`)
      await tx.query(`alter sequence inventory.level_version_seq restart`)
    } else {
      const { rowCount } = await tx.query(`select 1 from inventory.locations limit 1`)
      if (rowCount > 0) return
    }
    await insertLocationsAndItems(tx, world)
    await insertLevels(tx, world.stockLevels)
    await insertReservations(tx, world)
    await insertAllocations(tx, world)
    await insertReplenishments(tx, replenishmentsOf(world))
  })
}

async function insertLocationsAndItems(tx: Queryable, world: World): Promise<void> {
  const { locations, variants } = world
  await tx.query(
    `insert into inventory.locations (id, name, type, active, fulfills_online_orders, country_code)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::boolean[], $6::text[])`,
    [locations.map((l) => l.id), locations.map((l) => l.name), locations.map((l) => l.type), locations.map((l) => l.active),
      locations.map((l) => l.fulfillsOnlineOrders), locations.map((l) => l.countryCode)],
  )
  await tx.query(`insert into inventory.inventory_items (sku, tracked) select sku, true from unnest($1::text[]) as v(sku)`, [variants.map((v) => v.sku)])
}

async function insertLevels(tx: Queryable, levels: readonly WorldStockLevel[]): Promise<void> {
  const column = <K extends keyof WorldStockLevel>(key: K) => levels.map((l) => l[key])
  // ordered, so the versions the sequence hands out follow the world's order on every run
  await tx.query(
    `insert into inventory.inventory_levels
       (sku, location_id, available, committed, reserved, damaged, safety_stock, quality_control, incoming, version, updated_at)
     select s.sku, s.location_id, s.available, s.committed, s.reserved, s.damaged, s.safety_stock, s.quality_control, s.incoming,
            nextval('inventory.level_version_seq'), $10
     from (select * from unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[], $9::int[])
             with ordinality as u(sku, location_id, available, committed, reserved, damaged, safety_stock, quality_control, incoming, n)
           order by n) s`,
    [column('sku'), column('locationId'), column('available'), column('committed'), column('reserved'), column('damaged'),
      column('safetyStock'), column('qualityControl'), column('incoming'), WORLD_EPOCH],
  )
}

async function insertReservations(tx: Queryable, world: World): Promise<void> {
  const r = world.reservations
  await tx.query(
    `insert into inventory.reservations (id, sku, location_id, quantity, status, expires_at, reference_document_uri, created_at)
     select id, sku, location_id, quantity, 'ACTIVE', expires_at, uri, $7
     from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::timestamptz[], $6::text[]) as u(id, sku, location_id, quantity, expires_at, uri)`,
    [r.map((x) => x.id), r.map((x) => x.sku), r.map((x) => x.locationId), r.map((x) => x.quantity), r.map((x) => x.expiresAt),
      r.map((x) => x.referenceDocumentUri), new Date(WORLD_EPOCH.getTime() - DAY)],
  )
}

async function insertAllocations(tx: Queryable, world: World): Promise<void> {
  const lines = world.orders.flatMap((o) => o.lineItems)
  await tx.query(
    `insert into inventory.allocations (line_item_id, sku, location_id, quantity, fulfilled_quantity)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[])`,
    [lines.map((l) => l.id), lines.map((l) => l.sku), lines.map((l) => l.locationId), lines.map((l) => l.quantity), lines.map((l) => l.fulfilledQuantity)],
  )
}

async function insertReplenishments(tx: Queryable, replenishments: readonly SeedReplenishment[]): Promise<void> {
  await tx.query(
    `insert into inventory.replenishments (id, origin_location_id, destination_location_id, status, expected_at, created_at)
     select id, origin, destination, status, expected_at, expected_at - interval '14 days'
     from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) as u(id, origin, destination, status, expected_at)`,
    [replenishments.map((r) => r.id), replenishments.map((r) => r.originLocationId), replenishments.map((r) => r.destinationLocationId),
      replenishments.map((r) => r.status), replenishments.map((r) => r.expectedAt)],
  )
  const lines = replenishments.flatMap((r) => r.lines.map((line, position) => ({ ...line, id: r.id, position })))
  await tx.query(
    `insert into inventory.replenishment_lines (replenishment_id, position, sku, quantity, received_quantity)
     select * from unnest($1::text[], $2::int[], $3::text[], $4::int[], $5::int[])`,
    [lines.map((l) => l.id), lines.map((l) => l.position), lines.map((l) => l.sku), lines.map((l) => l.quantity), lines.map((l) => l.receivedQuantity)],
  )
}
