import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { ReplenishmentLineModel, ReplenishmentModel, SupplierPlacementModel } from '../models.ts'
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
    `select replenishment_id as "replenishmentId", sku, quantity, received_quantity as "receivedQuantity", requested_quantity as "requestedQuantity"
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
  return insertForNeed(tx, draft, 'DRAFT')
}

/**
 * Writes an AUTO purchase order SUBMITTED for its need, to be placed with the supplier under its
 * id as idempotency key, unless the need already has an order (drafted or placed); true when written.
 */
export async function insertSubmittedForNeed(tx: Queryable, order: NeedDraft): Promise<boolean> {
  return insertForNeed(tx, order, 'SUBMITTED')
}

async function insertForNeed(tx: Queryable, draft: NeedDraft, status: 'DRAFT' | 'SUBMITTED'): Promise<boolean> {
  const { rowCount } = await tx.query(
    `insert into inventory.replenishments
       (id, origin_location_id, destination_location_id, status, expected_at, supplier_id, need_key, supplier_order_key, next_placement_at)
     values ($1, null, $2, $6, $3, $4, $5, case when $6 = 'SUBMITTED' then $1 end, case when $6 = 'SUBMITTED' then now() end)
     on conflict (need_key) do nothing`,
    [draft.id, draft.destinationLocationId, draft.expectedAt, draft.supplierId, draft.needKey, status],
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
): Promise<{ replenishment: ReplenishmentModel; supplierId: string | null; placement: PlacementState; lines: ReplenishmentLineModel[] } | null> {
  const { rows } = await tx.query<ReplenishmentModel & { supplierId: string | null } & PlacementState>(
    `select id, origin_location_id as "originLocationId", destination_location_id as "destinationLocationId", status, expected_at as "expectedAt",
            supplier_id as "supplierId", supplier_order_key as "supplierOrderKey", placement_attempts as "attempts", rejection_code as "rejectionCode",
            supplier_reference as "supplierReference"
     from inventory.replenishments where id = $1 for update`,
    [id],
  )
  const row = rows[0]
  if (!row) return null
  const { supplierId, supplierOrderKey, attempts, rejectionCode, supplierReference, ...replenishment } = row
  return { replenishment, supplierId, placement: { supplierOrderKey, attempts, rejectionCode, supplierReference }, lines: await replenishmentLinesByIds(tx, [id]) }
}

/** Where an order stands with its supplier: the key it is placed under (null: never placed through the adapter). */
export interface PlacementState {
  readonly supplierOrderKey: string | null
  readonly attempts: number
  /** The supplier's code when it rejected the order; null otherwise. */
  readonly rejectionCode: string | null
  /** What the supplier called the order when it accepted it; null: no supplier holds it. */
  readonly supplierReference: string | null
}

/** An order as the supplier knows it: what a cancellation tells the supplier, read without a lock (before any transaction). */
export interface SupplierHeldOrder {
  readonly status: ReplenishmentModel['status']
  readonly supplierId: string
  readonly supplierOrderKey: string
  readonly supplierReference: string
}

/** The order if a supplier accepted it (it has the supplier's reference), else null. */
export async function supplierHeldOrderOf(db: Queryable, id: string): Promise<SupplierHeldOrder | null> {
  const { rows } = await db.query<SupplierHeldOrder>(
    `select status, supplier_id as "supplierId", supplier_order_key as "supplierOrderKey", supplier_reference as "supplierReference"
     from inventory.replenishments
     where id = $1 and supplier_reference is not null and supplier_id is not null and supplier_order_key is not null`,
    [id],
  )
  return rows[0] ?? null
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

/** The placements of these replenishments (none for one never placed through the supplier adapter). */
export async function placementsByIds(db: Queryable, ids: readonly string[]): Promise<SupplierPlacementModel[]> {
  const { rows } = await db.query<SupplierPlacementModel>(
    `select id as "replenishmentId", supplier_id as "supplierId", supplier_order_key as "idempotencyKey", placement_attempts as "attempts",
            placement_error as "lastError", supplier_reference as "supplierReference", acknowledged_at as "acknowledgedAt"
     from inventory.replenishments where id = any($1::text[]) and supplier_order_key is not null`,
    [ids],
  )
  return rows
}

/**
 * The purchase orders (no origin) to these levels in these states, newest first, at most `limit`
 * per level.
 */
export async function purchaseOrdersByLevels(
  db: Queryable,
  keys: readonly LevelKey[],
  statuses: readonly ReplenishmentModel['status'][],
  limit: number,
): Promise<(ReplenishmentModel & LevelKey)[]> {
  if (keys.length === 0) return []
  const { rows } = await db.query<ReplenishmentModel & LevelKey>(
    `select id, "originLocationId", "destinationLocationId", status, "expectedAt", sku, "locationId" from (
       select r.id, r.origin_location_id as "originLocationId", r.destination_location_id as "destinationLocationId", r.status,
              r.expected_at as "expectedAt", l.sku, r.destination_location_id as "locationId",
              row_number() over (partition by l.sku, r.destination_location_id order by r.created_at desc, r.id desc) as n
       from inventory.replenishments r join inventory.replenishment_lines l on l.replenishment_id = r.id
       where r.origin_location_id is null and r.status = any($3::text[])
         and (l.sku, r.destination_location_id) in (select * from unnest($1::text[], $2::text[]))
     ) o where n <= $4 order by n`,
    [keys.map((k) => k.sku), keys.map((k) => k.locationId), statuses, limit],
  )
  return rows
}

/** A SUBMITTED order a placement worker has taken, for one placement with the supplier. */
export interface ClaimedPlacement {
  readonly id: string
  readonly supplierId: string
  readonly destinationLocationId: string
  readonly expectedAt: Date | null
  /** The key to place it under. */
  readonly supplierOrderKey: string
  /** Placements so far, this one included. */
  readonly attempts: number
}

/**
 * Takes up to `limit` SUBMITTED orders due for a placement, oldest due first, each for `leaseMs`:
 * counts the placement and pushes `next_placement_at` past the lease, in one statement, so two
 * workers never take one order at once (a worker that dies mid-call leaves it to be taken again
 * when the lease ends, under the same key). Outside any transaction but its own.
 */
export async function claimPlacements(db: Queryable, limit: number, leaseMs: number): Promise<ClaimedPlacement[]> {
  const { rows } = await db.query<ClaimedPlacement>(
    `update inventory.replenishments r
     set placement_attempts = r.placement_attempts + 1, next_placement_at = now() + make_interval(secs => $2::double precision / 1000)
     where r.id in (
       select id from inventory.replenishments
       where status = 'SUBMITTED' and next_placement_at <= now()
       order by next_placement_at, id limit $1 for update skip locked
     )
     returning r.id, r.supplier_id as "supplierId", r.destination_location_id as "destinationLocationId", r.expected_at as "expectedAt",
               r.supplier_order_key as "supplierOrderKey", r.placement_attempts as "attempts"`,
    [limit, leaseMs],
  )
  return rows
}

/** A placement that failed on our side (the database, a deadlock): the order is due again now, not when its lease ends. */
export async function releasePlacement(db: Queryable, id: string, key: string): Promise<void> {
  await db.query(`update inventory.replenishments set next_placement_at = now() where id = $1 and status = 'SUBMITTED' and supplier_order_key = $2`, [id, key])
}

/**
 * The placement got no answer: the order stays SUBMITTED, with why, until `retryInMs` from now;
 * only while it is still SUBMITTED under `key` (another worker may have placed it meanwhile).
 */
export async function deferPlacement(db: Queryable, id: string, key: string, message: string, retryInMs: number): Promise<void> {
  await db.query(
    `update inventory.replenishments set placement_error = $3, next_placement_at = now() + make_interval(secs => $4::double precision / 1000)
     where id = $1 and status = 'SUBMITTED' and supplier_order_key = $2`,
    [id, key, message, retryInMs],
  )
}

/**
 * The supplier acknowledged the order: ORDERED, its lines lowered to the units it accepted (the
 * units asked kept in requested_quantity when fewer), the date it promised (when it gave one).
 */
export async function recordAcknowledgement(
  tx: Queryable,
  id: string,
  ack: { readonly supplierReference: string; readonly promisedAt: Date | null; readonly lines: readonly { sku: string; quantity: number }[] },
): Promise<void> {
  await tx.query(
    `update inventory.replenishments set status = 'ORDERED', supplier_reference = $2, acknowledged_at = now(), expected_at = coalesce($3, expected_at),
       placement_error = null, rejection_code = null, next_placement_at = null
     where id = $1`,
    [id, ack.supplierReference, ack.promisedAt],
  )
  await tx.query(
    `update inventory.replenishment_lines l set requested_quantity = case when a.quantity < l.quantity then l.quantity end, quantity = a.quantity
     from unnest($2::text[], $3::int[]) as a(sku, quantity)
     where l.replenishment_id = $1 and l.sku = a.sku`,
    [id, ack.lines.map((l) => l.sku), ack.lines.map((l) => l.quantity)],
  )
}

/** The placement failed for good: PLACEMENT_FAILED with why (and the supplier's code when it rejected the order). */
export async function recordPlacementFailure(tx: Queryable, id: string, message: string, rejectionCode: string | null): Promise<void> {
  await tx.query(
    `update inventory.replenishments set status = 'PLACEMENT_FAILED', placement_error = $2, rejection_code = $3, next_placement_at = null where id = $1`,
    [id, message, rejectionCode],
  )
}

/** A PLACEMENT_FAILED order is SUBMITTED again, under `key`, with its attempts counted afresh. */
export async function resubmitPlacement(tx: Queryable, id: string, key: string): Promise<void> {
  await tx.query(
    `update inventory.replenishments set status = 'SUBMITTED', supplier_order_key = $2, placement_attempts = 0, rejection_code = null, next_placement_at = now()
     where id = $1`,
    [id, key],
  )
}
