import type { Queryable } from '../../../platform/db.ts'
import type { InventoryAdjustmentReason } from '../generated/resolvers.ts'
import type { AdjustmentChangeModel, AdjustmentGroupModel, StoredQuantityName } from '../models.ts'

export async function adjustmentGroupsByIds(db: Queryable, ids: readonly string[]): Promise<AdjustmentGroupModel[]> {
  const { rows } = await db.query<{ id: string; reason: InventoryAdjustmentReason; reference_document_uri: string | null; created_at: Date }>(
    `select id, reason, reference_document_uri, created_at from inventory.adjustment_groups where id = any($1::text[])`,
    [ids],
  )
  return rows.map((row) => ({ id: row.id, reason: row.reason, referenceDocumentUri: row.reference_document_uri, createdAt: row.created_at }))
}

/** The changes of each group, in the order the mutation listed them. */
export async function adjustmentChangesByGroupIds(db: Queryable, groupIds: readonly string[]): Promise<AdjustmentChangeModel[]> {
  const { rows } = await db.query<{
    group_id: string
    sku: string
    location_id: string
    name: StoredQuantityName
    delta: number
    quantity_after_change: number
  }>(
    `select group_id, sku, location_id, name, delta, quantity_after_change
     from inventory.adjustment_changes where group_id = any($1::text[]) order by group_id, position`,
    [groupIds],
  )
  return rows.map((row) => ({
    groupId: row.group_id,
    sku: row.sku,
    locationId: row.location_id,
    name: row.name,
    delta: row.delta,
    quantityAfterChange: row.quantity_after_change,
  }))
}
