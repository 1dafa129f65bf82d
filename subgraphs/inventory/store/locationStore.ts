import type { Queryable } from '../../../platform/db.ts'
import type { LocationType } from '../generated/resolvers.ts'
import type { LocationModel } from '../models.ts'

interface LocationRow {
  id: string
  name: string
  type: LocationType
  active: boolean
  fulfills_online_orders: boolean
  country_code: string
}

const COLUMNS = 'id, name, type, active, fulfills_online_orders, country_code'

const toLocation = (row: LocationRow): LocationModel => ({
  id: row.id,
  name: row.name,
  type: row.type,
  active: row.active,
  fulfillsOnlineOrders: row.fulfills_online_orders,
  countryCode: row.country_code,
})

export async function locationsByIds(db: Queryable, ids: readonly string[]): Promise<LocationModel[]> {
  const { rows } = await db.query<LocationRow>(`select ${COLUMNS} from inventory.locations where id = any($1::text[])`, [ids])
  return rows.map(toLocation)
}

export async function listLocations(db: Queryable, filter: { type: LocationType | null; active: boolean | null }): Promise<LocationModel[]> {
  const { rows } = await db.query<LocationRow>(
    `select ${COLUMNS} from inventory.locations
     where ($1::text is null or type = $1) and ($2::boolean is null or active = $2)
     order by id`,
    [filter.type, filter.active],
  )
  return rows.map(toLocation)
}
