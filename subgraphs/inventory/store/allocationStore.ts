import type { Queryable } from '../../../platform/db.ts'
import type { AllocationModel } from '../models.ts'

export async function allocationsByLineItemIds(db: Queryable, lineItemIds: readonly string[]): Promise<AllocationModel[]> {
  const { rows } = await db.query<{ line_item_id: string; sku: string; location_id: string; quantity: number }>(
    `select line_item_id, sku, location_id, quantity from inventory.allocations
     where line_item_id = any($1::text[]) order by line_item_id, location_id`,
    [lineItemIds],
  )
  return rows.map((row) => ({ lineItemId: row.line_item_id, sku: row.sku, locationId: row.location_id, quantity: row.quantity }))
}
