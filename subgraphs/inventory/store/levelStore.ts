import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { InventoryLevelModel, Quantities } from '../models.ts'

export interface LevelRow {
  sku: string
  location_id: string
  available: number
  committed: number
  reserved: number
  damaged: number
  safety_stock: number
  quality_control: number
  incoming: number
  version: string
  updated_at: Date
}

export const LEVEL_COLUMNS =
  'l.sku, l.location_id, l.available, l.committed, l.reserved, l.damaged, l.safety_stock, l.quality_control, l.incoming, l.version, l.updated_at'

export const quantitiesOf = (row: LevelRow): Quantities => ({
  AVAILABLE: row.available,
  COMMITTED: row.committed,
  RESERVED: row.reserved,
  DAMAGED: row.damaged,
  SAFETY_STOCK: row.safety_stock,
  QUALITY_CONTROL: row.quality_control,
  INCOMING: row.incoming,
})

export const toLevel = (row: LevelRow): InventoryLevelModel => ({
  sku: row.sku,
  locationId: row.location_id,
  quantities: quantitiesOf(row),
  version: String(row.version),
  updatedAt: row.updated_at,
})

export interface LevelKey {
  readonly sku: string
  readonly locationId: string
}

export interface LevelFilter {
  readonly skus: readonly string[] | null
  /** Already narrowed to what the viewer may see. */
  readonly locationIds: readonly string[] | null
  readonly updatedSince: Date | null
}

/** The levels a filter selects: `$1` to `$3` are `filterParams(filter)`; callers add their page from `$4`. */
const FILTERED_LEVELS = `select ${LEVEL_COLUMNS} from inventory.inventory_levels l
     where ($1::text[] is null or l.sku = any($1::text[]))
       and ($2::text[] is null or l.location_id = any($2::text[]))
       and ($3::timestamptz is null or l.updated_at >= $3::timestamptz)`
const filterParams = (filter: LevelFilter) => [filter.skus, filter.locationIds, filter.updatedSince]

/** Levels ordered by (sku, location), after the keyset `after`; `limit` rows at most. */
export async function levelsBySkuAndLocation(
  db: Queryable,
  filter: LevelFilter,
  page: { after: LevelKey | null; limit: number },
): Promise<InventoryLevelModel[]> {
  const { rows } = await db.query<LevelRow>(
    `${FILTERED_LEVELS}
       and ($4::text is null or (l.sku, l.location_id) > ($4::text, $5::text))
     order by l.sku, l.location_id
     limit $6`,
    [...filterParams(filter), page.after?.sku ?? null, page.after?.locationId ?? null, page.limit],
  )
  return rows.map(toLevel)
}

/**
 * Levels changed after `sinceVersion`, in version order: what a subscriber that last applied
 * `sinceVersion` has missed. Versions come from one global sequence, so this order is global.
 */
export async function levelsSinceVersion(
  db: Queryable,
  filter: LevelFilter,
  page: { sinceVersion: string; afterVersion: string | null; limit: number },
): Promise<InventoryLevelModel[]> {
  const { rows } = await db.query<LevelRow>(
    `${FILTERED_LEVELS}
       and l.version > greatest($4::bigint, coalesce($5::bigint, $4::bigint))
     order by l.version
     limit $6`,
    [...filterParams(filter), page.sinceVersion, page.afterVersion, page.limit],
  )
  return rows.map(toLevel)
}

/**
 * The first `limit` levels of each sku (by location, after `afterLocationId`): one query for a
 * whole page of variants' `stock` connections.
 */
export async function levelsPerSku(
  db: Queryable,
  skus: readonly string[],
  options: { locationIds: readonly string[] | null; afterLocationId: string | null; limit: number },
): Promise<InventoryLevelModel[]> {
  const { rows } = await db.query<LevelRow>(
    `select * from (
       select ${LEVEL_COLUMNS}, row_number() over (partition by l.sku order by l.location_id) as position
       from inventory.inventory_levels l
       where l.sku = any($1::text[])
         and ($2::text[] is null or l.location_id = any($2::text[]))
         and ($3::text is null or l.location_id > $3::text)
     ) ranked
     where position <= $4
     order by sku, location_id`,
    [skus, options.locationIds, options.afterLocationId, options.limit],
  )
  return rows.map(toLevel)
}

/** Sum of AVAILABLE per sku over active locations that fulfill online orders. */
export async function availableToSellBySkus(
  db: Queryable,
  skus: readonly string[],
  locationIds: readonly string[] | null,
): Promise<Map<string, number>> {
  const { rows } = await db.query<{ sku: string; available: number }>(
    `select l.sku, sum(l.available)::int as available
     from inventory.inventory_levels l
     join inventory.locations loc on loc.id = l.location_id
     where l.sku = any($1::text[]) and loc.active and loc.fulfills_online_orders
       and ($2::text[] is null or l.location_id = any($2::text[]))
     group by l.sku`,
    [skus, locationIds],
  )
  return new Map(rows.map((row) => [row.sku, row.available]))
}

/**
 * Locks the levels about to change, always in (sku, location) order so that two transactions
 * touching the same levels queue instead of deadlocking. Returns the locked rows.
 */
export async function lockLevels(db: Queryable, keys: readonly LevelKey[]): Promise<InventoryLevelModel[]> {
  const { rows } = await db.query<LevelRow>(
    `select ${LEVEL_COLUMNS} from inventory.inventory_levels l
     where (l.sku, l.location_id) in (select * from unnest($1::text[], $2::text[]))
     order by l.sku, l.location_id
     for update`,
    [keys.map((k) => k.sku), keys.map((k) => k.locationId)],
  )
  return rows.map(toLevel)
}

/** The levels of these (sku, location) pairs that exist, unlocked. */
export async function levelsByKeys(db: Queryable, keys: readonly LevelKey[]): Promise<InventoryLevelModel[]> {
  if (keys.length === 0) return []
  const { rows } = await db.query<LevelRow>(
    `select ${LEVEL_COLUMNS} from inventory.inventory_levels l
     where (l.sku, l.location_id) in (select * from unnest($1::text[], $2::text[]))`,
    [keys.map((k) => k.sku), keys.map((k) => k.locationId)],
  )
  return rows.map(toLevel)
}

/** Which of these (sku, location) pairs have a level, without reading or locking quantities. */
export async function existingLevelKeys(db: Queryable, keys: readonly LevelKey[]): Promise<LevelKey[]> {
  if (keys.length === 0) return []
  const { rows } = await db.query<{ sku: string; location_id: string }>(
    `select l.sku, l.location_id from inventory.inventory_levels l
     where (l.sku, l.location_id) in (select * from unnest($1::text[], $2::text[]))`,
    [keys.map((k) => k.sku), keys.map((k) => k.locationId)],
  )
  return rows.map((row) => ({ sku: row.sku, locationId: row.location_id }))
}

/**
 * For each requested (sku, quantity), the active online-fulfilling location with the most
 * AVAILABLE that can cover it, or none. A hint only: the reservation's conditional update decides.
 */
export async function bestFulfillingLocations(
  db: Queryable,
  lines: readonly { sku: string; quantity: number }[],
): Promise<Map<number, string>> {
  const { rows } = await db.query<{ line: string | number; location_id: string }>(
    `select distinct on (d.line) d.line, l.location_id
     from unnest($1::text[], $2::int[]) with ordinality as d(sku, quantity, line)
     join inventory.inventory_levels l on l.sku = d.sku and l.available >= d.quantity
     join inventory.locations loc on loc.id = l.location_id and loc.active and loc.fulfills_online_orders
     order by d.line, l.available desc, l.location_id`,
    [lines.map((l) => l.sku), lines.map((l) => l.quantity)],
  )
  // ordinality is 1-based (and an int8, so a string on some drivers)
  return new Map(rows.map((row) => [Number(row.line) - 1, row.location_id]))
}

/** A level as the demo store starts it: quantities per stored state. */
export interface NewLevel extends LevelKey {
  readonly available: number
  readonly committed: number
  readonly reserved: number
  readonly damaged: number
  readonly safetyStock: number
  readonly qualityControl: number
  readonly incoming: number
}

/**
 * Writes levels last updated at `updatedAt`, each taking the next version. One scan of the arrays
 * hands rows out in list order, so the versions follow the list on every run.
 */
export async function insertLevels(tx: Queryable, levels: readonly NewLevel[], updatedAt: Date): Promise<void> {
  await insertRows(tx, 'inventory.inventory_levels', levels, {
    sku: 'text', locationId: 'text', available: 'int', committed: 'int', reserved: 'int', damaged: 'int', safetyStock: 'int', qualityControl: 'int',
    incoming: 'int', version: ['bigint', () => null, `nextval('inventory.level_version_seq')`], updatedAt: ['timestamptz', () => updatedAt],
  })
}
