import type { Database, Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { ReservationModel } from '../models.ts'
import { applyLevelChangesOrThrow } from './levelChangeStore.ts'

const COLUMNS = `id, sku, location_id as "locationId", quantity, status, expires_at as "expiresAt",
  reference_document_uri as "referenceDocumentUri", created_at as "createdAt"`

export async function reservationsByIds(db: Queryable, ids: readonly string[]): Promise<ReservationModel[]> {
  const { rows } = await db.query<ReservationModel>(`select ${COLUMNS} from inventory.reservations where id = any($1::text[])`, [ids])
  return rows
}

export interface NewReservation {
  readonly id: string
  readonly sku: string
  readonly locationId: string
  readonly quantity: number
}

const ACTIVE_COLUMNS = { id: 'text', sku: 'text', locationId: 'text', quantity: 'int', status: ['text', () => 'ACTIVE'] } as const

/** Inserts ACTIVE reservations that expire `ttlSeconds` after the transaction's start. */
export async function insertReservations(
  tx: Queryable,
  reservations: readonly NewReservation[],
  options: { ttlSeconds: number; referenceDocumentUri: string },
): Promise<void> {
  await insertRows(tx, 'inventory.reservations', reservations, {
    ...ACTIVE_COLUMNS,
    // the column carries the TTL; the select turns it into the instant, from the transaction's start
    expiresAt: ['float8', () => options.ttlSeconds, 'now() + make_interval(secs => expires_at)'],
    referenceDocumentUri: ['text', () => options.referenceDocumentUri],
  })
}

/** An ACTIVE reservation made at another time (the demo store's), with its own expiry and reference. */
export interface DatedReservation extends NewReservation {
  readonly expiresAt: Date
  readonly referenceDocumentUri: string
  readonly createdAt: Date
}

export async function insertDatedReservations(tx: Queryable, reservations: readonly DatedReservation[]): Promise<void> {
  await insertRows(tx, 'inventory.reservations', reservations, {
    ...ACTIVE_COLUMNS, expiresAt: 'timestamptz', referenceDocumentUri: 'text', createdAt: 'timestamptz',
  })
}

/**
 * ACTIVE → RELEASED when it has not expired yet. Conditional on the status, so of two concurrent
 * releases (or a release and the expiry sweep) exactly one wins; null when this one did not.
 */
export async function markReservationReleased(tx: Queryable, id: string): Promise<ReservationModel | null> {
  const { rows } = await tx.query<ReservationModel>(
    `update inventory.reservations set status = 'RELEASED'
     where id = $1 and status = 'ACTIVE' and (expires_at is null or expires_at > now())
     returning ${COLUMNS}`,
    [id],
  )
  return rows[0] ?? null
}

/**
 * Expires every ACTIVE reservation whose `expires_at` is at or before `now` and returns its stock
 * from RESERVED to AVAILABLE. The status flip is a conditional update, so when two sweepers run
 * at once each reservation is expired, and its stock returned, by exactly one of them.
 */
export async function expireReservations(db: Database, now: Date): Promise<ReservationModel[]> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<ReservationModel>(
      `update inventory.reservations set status = 'EXPIRED'
       where status = 'ACTIVE' and expires_at <= $1::timestamptz
       returning ${COLUMNS}`,
      [now],
    )
    const expired = rows
    // one ledger group per reservation keeps each group's referenceDocumentUri meaningful; taking
    // the levels in (sku, location) order, like every other writer, keeps PostgreSQL deadlock-free
    const byLevel = [...expired].sort((x, y) => (x.sku === y.sku ? cmp(x.locationId, y.locationId) : cmp(x.sku, y.sku)))
    for (const reservation of byLevel) {
      await applyLevelChangesOrThrow(tx, {
        reason: 'RESERVATION',
        referenceDocumentUri: reservation.referenceDocumentUri,
        actor: 'system:reservation-expiry',
        changes: [
          { sku: reservation.sku, locationId: reservation.locationId, name: 'RESERVED', delta: -reservation.quantity },
          { sku: reservation.sku, locationId: reservation.locationId, name: 'AVAILABLE', delta: reservation.quantity },
        ],
      })
    }
    return expired
  })
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

export interface ReservationClaim {
  readonly id: string
  readonly sku: string
  readonly locationId: string
  readonly quantity: number
}

/**
 * ACTIVE → CONSUMED for each reservation that still holds exactly what its order line says,
 * returning the ids that flipped. Past-expiry reservations the sweep has not reached still hold
 * their units in RESERVED, so they are consumed too; the conditional flip means the sweep (or a
 * second delivery) then finds nothing to do.
 */
export async function consumeReservations(tx: Queryable, claims: readonly ReservationClaim[]): Promise<string[]> {
  const { rows } = await tx.query<{ id: string }>(
    `update inventory.reservations r set status = 'CONSUMED'
     from unnest($1::text[], $2::text[], $3::text[], $4::int[]) as c(id, sku, location_id, quantity)
     where r.id = c.id and r.status = 'ACTIVE' and r.sku = c.sku and r.location_id = c.location_id and r.quantity = c.quantity
     returning r.id`,
    [claims.map((c) => c.id), claims.map((c) => c.sku), claims.map((c) => c.locationId), claims.map((c) => c.quantity)],
  )
  return rows.map((row) => row.id)
}

/**
 * ACTIVE → RELEASED for those of `ids` still active, expired or not (an order going away gives its
 * holds back at once rather than at the sweep). Conditional: each is released once.
 */
export async function releaseActiveReservations(tx: Queryable, ids: readonly string[]): Promise<ReservationModel[]> {
  const { rows } = await tx.query<ReservationModel>(
    `update inventory.reservations set status = 'RELEASED' where id = any($1::text[]) and status = 'ACTIVE' returning ${COLUMNS}`,
    [ids],
  )
  return rows.sort((x, y) => cmp(x.id, y.id))
}
