import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { ReplenishmentLineModel, ReplenishmentModel } from '../models.ts'

export async function replenishmentsByIds(db: Queryable, ids: readonly string[]): Promise<ReplenishmentModel[]> {
  const { rows } = await db.query<ReplenishmentModel>(
    `select id, origin_location_id as "originLocationId", destination_location_id as "destinationLocationId", status, expected_at as "expectedAt"
     from inventory.replenishments where id = any($1::text[])`,
    [ids],
  )
  return rows
}

export async function replenishmentLinesByIds(db: Queryable, replenishmentIds: readonly string[]): Promise<ReplenishmentLineModel[]> {
  const { rows } = await db.query<ReplenishmentLineModel>(
    `select replenishment_id as "replenishmentId", sku, quantity, received_quantity as "receivedQuantity"
     from inventory.replenishment_lines where replenishment_id = any($1::text[]) order by replenishment_id, position`,
    [replenishmentIds],
  )
  return rows
}

/** A purchase order or transfer with its lines, in order. */
export interface NewReplenishment extends ReplenishmentModel {
  readonly expectedAt: Date
  readonly lines: readonly Omit<ReplenishmentLineModel, 'replenishmentId'>[]
}

/** Writes replenishments and their lines; each was created two weeks before it is expected. */
export async function insertReplenishments(tx: Queryable, replenishments: readonly NewReplenishment[]): Promise<void> {
  await insertRows(tx, 'inventory.replenishments', replenishments, {
    id: 'text', originLocationId: 'text', destinationLocationId: 'text', status: 'text', expectedAt: 'timestamptz',
    // two weeks before it is expected: the select computes it from expected_at
    createdAt: ['timestamptz', () => null, `expected_at - interval '14 days'`],
  })
  const lines = replenishments.flatMap((r) => r.lines.map((line, position) => ({ ...line, replenishmentId: r.id, position })))
  await insertRows(tx, 'inventory.replenishment_lines', lines, {
    replenishmentId: 'text', position: 'int', sku: 'text', quantity: 'int', receivedQuantity: 'int',
  })
}
