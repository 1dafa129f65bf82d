import type { Queryable } from '../../../platform/db.ts'
import type { ReplenishmentPolicyModel } from '../models.ts'
import type { LevelKey } from './levelStore.ts'

const POLICY_COLUMNS = `sku, location_id as "locationId", supplier_id as "supplierId", lead_time_days as "leadTimeDays",
  review_period_days as "reviewPeriodDays", service_level as "serviceLevel", minimum_order_quantity as "minimumOrderQuantity",
  pack_size as "packSize", mode, updated_at as "updatedAt"`

/** The policies of these levels (none for a level without one). */
export async function policiesByLevels(db: Queryable, keys: readonly LevelKey[]): Promise<ReplenishmentPolicyModel[]> {
  if (keys.length === 0) return []
  const { rows } = await db.query<ReplenishmentPolicyModel>(
    `select ${POLICY_COLUMNS} from inventory.replenishment_policies
     where (sku, location_id) in (select * from unnest($1::text[], $2::text[]))`,
    [keys.map((k) => k.sku), keys.map((k) => k.locationId)],
  )
  return rows
}

/** The levels with a policy, in (sku, location) order, after `after` (null: from the first), at most `limit`. */
export async function policyKeysAfter(db: Queryable, after: LevelKey | null, limit: number): Promise<LevelKey[]> {
  const { rows } = await db.query<LevelKey>(
    `select sku, location_id as "locationId" from inventory.replenishment_policies
     where $1::text is null or (sku, location_id) > ($1, $2)
     order by sku, location_id limit $3`,
    [after?.sku ?? null, after?.locationId ?? null, limit],
  )
  return rows
}

/** Sets a level's policy, replacing the one it had; returns it as stored. */
export async function upsertPolicy(tx: Queryable, policy: Omit<ReplenishmentPolicyModel, 'updatedAt'>): Promise<ReplenishmentPolicyModel> {
  const { rows } = await tx.query<ReplenishmentPolicyModel>(
    `insert into inventory.replenishment_policies
       (sku, location_id, supplier_id, lead_time_days, review_period_days, service_level, minimum_order_quantity, pack_size, mode)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     on conflict (sku, location_id) do update set supplier_id = excluded.supplier_id, lead_time_days = excluded.lead_time_days,
       review_period_days = excluded.review_period_days, service_level = excluded.service_level,
       minimum_order_quantity = excluded.minimum_order_quantity, pack_size = excluded.pack_size, mode = excluded.mode, updated_at = now()
     returning ${POLICY_COLUMNS}`,
    [policy.sku, policy.locationId, policy.supplierId, policy.leadTimeDays, policy.reviewPeriodDays, policy.serviceLevel, policy.minimumOrderQuantity, policy.packSize, policy.mode],
  )
  return rows[0]!
}
