import type { Queryable } from '../../../platform/db.ts'
import type { ReplenishmentStatus } from '../generated/resolvers.ts'
import type { ReplenishmentLineModel, ReplenishmentModel } from '../models.ts'

export async function replenishmentsByIds(db: Queryable, ids: readonly string[]): Promise<ReplenishmentModel[]> {
  const { rows } = await db.query<{
    id: string
    origin_location_id: string | null
    destination_location_id: string
    status: ReplenishmentStatus
    expected_at: Date | null
  }>(
    `select id, origin_location_id, destination_location_id, status, expected_at from inventory.replenishments where id = any($1::text[])`,
    [ids],
  )
  return rows.map((row) => ({
    id: row.id,
    originLocationId: row.origin_location_id,
    destinationLocationId: row.destination_location_id,
    status: row.status,
    expectedAt: row.expected_at,
  }))
}

export async function replenishmentLinesByIds(db: Queryable, replenishmentIds: readonly string[]): Promise<ReplenishmentLineModel[]> {
  const { rows } = await db.query<{ replenishment_id: string; sku: string; quantity: number; received_quantity: number }>(
    `select replenishment_id, sku, quantity, received_quantity from inventory.replenishment_lines
     where replenishment_id = any($1::text[]) order by replenishment_id, position`,
    [replenishmentIds],
  )
  return rows.map((row) => ({ replenishmentId: row.replenishment_id, sku: row.sku, quantity: row.quantity, receivedQuantity: row.received_quantity }))
}
