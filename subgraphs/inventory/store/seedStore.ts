import type { Queryable } from '../../../platform/db.ts'

const TABLES = [
  'adjustment_changes', 'adjustment_groups', 'reservations', 'allocations', 'replenishment_lines', 'replenishments',
  'inventory_levels', 'inventory_items', 'locations', 'idempotency_keys', 'applied_order_documents', 'demand',
].map((t) => `inventory.${t}`)

export async function inventoryIsEmpty(db: Queryable): Promise<boolean> {
  const { rowCount } = await db.query(`select 1 from inventory.locations limit 1`)
  return rowCount === 0
}

/** Empties the store and restarts level versions at 1. */
export async function clearInventory(db: Queryable): Promise<void> {
  // truncate, not delete: the ledger's triggers refuse row deletes
  await db.query(`truncate ${TABLES.join(', ')} cascade`)
  await db.query(`alter sequence inventory.level_version_seq restart`)
}
