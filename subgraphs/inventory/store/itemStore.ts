import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { InventoryItemModel } from '../models.ts'

export async function itemsBySkus(db: Queryable, skus: readonly string[]): Promise<InventoryItemModel[]> {
  const { rows } = await db.query<InventoryItemModel>(`select sku, tracked from inventory.inventory_items where sku = any($1::text[])`, [skus])
  return rows
}

export async function insertItems(tx: Queryable, items: readonly InventoryItemModel[]): Promise<void> {
  await insertRows(tx, 'inventory.inventory_items', items, { sku: 'text', tracked: 'boolean' })
}
