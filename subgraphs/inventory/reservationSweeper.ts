import type { FastifyBaseLogger } from 'fastify'
import type { Database } from '../../platform/db.ts'
import { every, type Periodic } from '../../platform/periodic.ts'
import { expireReservations } from './store/reservationStore.ts'

/** How often expired reservations give their stock back; a TTL is honored to within this. */
export const SWEEP_INTERVAL_MS = 5_000

export type ReservationSweeper = Periodic

/**
 * Expires reservations past their TTL on a timer. Several replicas may sweep at once: the sweep
 * is a conditional update, so each reservation expires exactly once. Sweeps never overlap within
 * one process.
 */
export function startReservationSweeper(db: Database, log: Pick<FastifyBaseLogger, 'info' | 'error'>, intervalMs = SWEEP_INTERVAL_MS): ReservationSweeper {
  return every(
    intervalMs,
    async () => {
      const expired = await expireReservations(db, new Date())
      if (expired.length > 0) log.info({ expired: expired.map((r) => r.id) }, 'reservations expired')
    },
    (error) => log.error({ err: error }, 'reservation expiry sweep failed'),
  )
}
