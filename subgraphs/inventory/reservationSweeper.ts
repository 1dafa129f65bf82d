import type { FastifyBaseLogger } from 'fastify'
import type { Database } from '../../platform/db.ts'
import { expireReservations } from './store/reservationStore.ts'

/** How often expired reservations give their stock back; a TTL is honored to within this. */
export const SWEEP_INTERVAL_MS = 5_000

export interface ReservationSweeper {
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>
}

/**
 * Expires reservations past their TTL on a timer. Several replicas may sweep at once: the sweep
 * is a conditional update, so each reservation expires exactly once. The timer is unref'd so it
 * never keeps a process alive, and sweeps never overlap within one process.
 */
export function startReservationSweeper(db: Database, log: Pick<FastifyBaseLogger, 'info' | 'error'>, intervalMs = SWEEP_INTERVAL_MS): ReservationSweeper {
  let running: Promise<void> | null = null
  const sweep = () => {
    if (running) return
    running = expireReservations(db, new Date())
      .then((expired) => {
        if (expired.length > 0) log.info({ expired: expired.map((r) => r.id) }, 'reservations expired')
      })
      .catch((error: unknown) => log.error({ err: error }, 'reservation expiry sweep failed'))
      .finally(() => {
        running = null
      })
  }
  const timer = setInterval(sweep, intervalMs)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
