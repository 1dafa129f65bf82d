import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { ReplenishmentLineModel, ReplenishmentModel } from '../models.ts'
import type { LevelKey } from './levelStore.ts'

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

/** A purchase order drafted for a need (forecast/replenishment.ts needKey): one SKU, not ordered yet. */
export interface NeedDraft {
  readonly id: string
  readonly destinationLocationId: string
  readonly supplierId: string
  readonly needKey: string
  readonly expectedAt: Date
  readonly sku: string
  readonly quantity: number
}

/**
 * Writes the draft unless its need already has one (the unique need key decides, so two
 * recomputes in one review window draft once); true when it was written.
 */
export async function insertDraftForNeed(tx: Queryable, draft: NeedDraft): Promise<boolean> {
  const { rowCount } = await tx.query(
    `insert into inventory.replenishments (id, origin_location_id, destination_location_id, status, expected_at, supplier_id, need_key)
     values ($1, null, $2, 'DRAFT', $3, $4, $5) on conflict (need_key) do nothing`,
    [draft.id, draft.destinationLocationId, draft.expectedAt, draft.supplierId, draft.needKey],
  )
  if (rowCount === 0) return false
  await tx.query(
    `insert into inventory.replenishment_lines (replenishment_id, position, sku, quantity, received_quantity) values ($1, 0, $2, $3, 0)`,
    [draft.id, draft.sku, draft.quantity],
  )
  return true
}

/** The DRAFT purchase orders of these levels, oldest first: what staff have still to approve. */
export async function draftsByLevels(db: Queryable, keys: readonly LevelKey[]): Promise<(ReplenishmentModel & LevelKey)[]> {
  if (keys.length === 0) return []
  const { rows } = await db.query<ReplenishmentModel & LevelKey>(
    `select r.id, r.origin_location_id as "originLocationId", r.destination_location_id as "destinationLocationId", r.status,
            r.expected_at as "expectedAt", l.sku, r.destination_location_id as "locationId"
     from inventory.replenishments r join inventory.replenishment_lines l on l.replenishment_id = r.id
     where r.status = 'DRAFT' and (l.sku, r.destination_location_id) in (select * from unnest($1::text[], $2::text[]))
     order by r.created_at, r.id`,
    [keys.map((k) => k.sku), keys.map((k) => k.locationId)],
  )
  return rows
}

/** A replenishment and its lines, locked until the transaction ends: a status change reads them first. */
export async function lockReplenishment(
  tx: Queryable,
  id: string,
): Promise<{ replenishment: ReplenishmentModel; supplierId: string | null; lines: ReplenishmentLineModel[] } | null> {
  const { rows } = await tx.query<ReplenishmentModel & { supplierId: string | null }>(
    `select id, origin_location_id as "originLocationId", destination_location_id as "destinationLocationId", status, expected_at as "expectedAt",
            supplier_id as "supplierId"
     from inventory.replenishments where id = $1 for update`,
    [id],
  )
  const row = rows[0]
  if (!row) return null
  const { supplierId, ...replenishment } = row
  return { replenishment, supplierId, lines: await replenishmentLinesByIds(tx, [id]) }
}

export async function setReplenishmentStatus(tx: Queryable, id: string, status: ReplenishmentModel['status']): Promise<void> {
  await tx.query(`update inventory.replenishments set status = $2 where id = $1`, [id, status])
}

/** Adds received units to the replenishment's lines, by sku (the caller has checked they are open). */
export async function addReceivedUnits(tx: Queryable, id: string, lines: readonly { sku: string; quantity: number }[]): Promise<void> {
  await tx.query(
    `update inventory.replenishment_lines l set received_quantity = l.received_quantity + r.quantity
     from unnest($2::text[], $3::int[]) as r(sku, quantity)
     where l.replenishment_id = $1 and l.sku = r.sku`,
    [id, lines.map((l) => l.sku), lines.map((l) => l.quantity)],
  )
}
