import type { Queryable } from '../../../platform/db.ts'
import type { DemandState } from '../demand.ts'
import type { LevelKey } from './levelStore.ts'

/** A stored demand row, its JSON read back unchecked (see `demandStateOf` for the checks). */
export interface DemandRow extends LevelKey {
  readonly series: unknown
  readonly model: unknown
  readonly holdout: unknown
  readonly lastObservedDay: number
}

const DEMAND_COLUMNS = `sku, location_id as "locationId", series, model, holdout, last_observed_day as "lastObservedDay"`

/** The demand rows of these levels (none for a level that has seen no demand). */
export async function demandByLevels(db: Queryable, keys: readonly LevelKey[]): Promise<DemandRow[]> {
  if (keys.length === 0) return []
  const { rows } = await db.query<DemandRow>(
    `select ${DEMAND_COLUMNS} from inventory.demand
     where (sku, location_id) in (select * from unnest($1::text[], $2::text[]))`,
    [keys.map((k) => k.sku), keys.map((k) => k.locationId)],
  )
  return rows
}

/**
 * The demand rows of these levels, locked until the transaction ends, in (sku, location) order
 * so two consumers booking the same levels queue instead of deadlocking.
 */
export async function lockDemand(tx: Queryable, keys: readonly LevelKey[]): Promise<DemandRow[]> {
  if (keys.length === 0) return []
  const { rows } = await tx.query<DemandRow>(
    `select ${DEMAND_COLUMNS} from inventory.demand
     where (sku, location_id) in (select * from unnest($1::text[], $2::text[]))
     order by sku, location_id
     for update`,
    [keys.map((k) => k.sku), keys.map((k) => k.locationId)],
  )
  return rows
}

/** Writes each level's demand state, inserting the rows of levels seen for the first time. */
export async function saveDemand(tx: Queryable, states: readonly (LevelKey & { readonly state: DemandState })[]): Promise<void> {
  if (states.length === 0) return
  await tx.query(
    `insert into inventory.demand (sku, location_id, series, model, holdout, fitted_through, last_observed_day)
     select sku, location_id, series::jsonb, model::jsonb, holdout::jsonb, fitted_through, last_observed_day
     from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[])
       as d(sku, location_id, series, model, holdout, fitted_through, last_observed_day)
     on conflict (sku, location_id) do update set series = excluded.series, model = excluded.model, holdout = excluded.holdout,
       fitted_through = excluded.fitted_through, last_observed_day = excluded.last_observed_day, updated_at = now()`,
    [
      states.map((s) => s.sku),
      states.map((s) => s.locationId),
      states.map((s) => JSON.stringify(s.state.series)),
      states.map((s) => JSON.stringify(s.state.model)),
      states.map((s) => (s.state.holdout === null ? null : JSON.stringify(s.state.holdout))),
      states.map((s) => s.state.model.fittedThrough),
      states.map((s) => s.state.lastObservedDay),
    ],
  )
}
