import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { LocationType } from '../generated/resolvers.ts'
import type { LocationModel } from '../models.ts'

const COLUMNS = 'id, name, type, active, fulfills_online_orders as "fulfillsOnlineOrders", country_code as "countryCode"'

export async function locationsByIds(db: Queryable, ids: readonly string[]): Promise<LocationModel[]> {
  if (ids.length === 0) return []
  const { rows } = await db.query<LocationModel>(`select ${COLUMNS} from inventory.locations where id = any($1::text[])`, [ids])
  return rows
}

export async function listLocations(db: Queryable, filter: { type: LocationType | null; active: boolean | null }): Promise<LocationModel[]> {
  const { rows } = await db.query<LocationModel>(
    `select ${COLUMNS} from inventory.locations
     where ($1::text is null or type = $1) and ($2::boolean is null or active = $2)
     order by id`,
    [filter.type, filter.active],
  )
  return rows
}

export async function insertLocations(tx: Queryable, locations: readonly LocationModel[]): Promise<void> {
  await insertRows(tx, 'inventory.locations', locations, {
    id: 'text', name: 'text', type: 'text', active: 'boolean', fulfillsOnlineOrders: 'boolean', countryCode: 'text',
  })
}
