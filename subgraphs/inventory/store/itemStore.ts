import type { Queryable } from '../../../platform/db.ts'
import type { InventoryItemModel } from '../models.ts'

export async function itemsBySkus(db: Queryable, skus: readonly string[]): Promise<InventoryItemModel[]> {
  const { rows } = await db.query<InventoryItemModel>(`select sku, tracked from inventory.inventory_items where sku = any($1::text[])`, [skus])
  return rows
}
