import type { FastifyBaseLogger } from 'fastify'
import type { Database } from '../../platform/db.ts'
import { every, type Periodic } from '../../platform/periodic.ts'
import { suggestReplenishment } from './consumers/suggestReplenishment.ts'
import { demandStateOf } from './demand.ts'
import { demandByLevels } from './store/demandStore.ts'
import type { LevelKey } from './store/levelStore.ts'
import { policyKeysAfter } from './store/policyStore.ts'

const DAY_MS = 86_400_000
/** Levels decided per transaction. */
const BATCH = 200

/**
 * Decides for every level with a replenishment policy as an order event does, from its stored
 * demand carried forward to `day`. Events alone leave gaps: a level that sold out with nothing on
 * order sells nothing more, so no event reaches it again; nor one whose order was cancelled or
 * failed with the supplier. The need key (sku, location, review window) makes a review that finds
 * an order for the need (an event's, another replica's review) order nothing more. A level that
 * has never had demand has no forecast, and is left alone. Returns how many levels it looked at.
 */
export async function reviewReplenishment(db: Database, day: number): Promise<number> {
  let after: LevelKey | null = null
  let reviewed = 0
  for (;;) {
    const keys = await policyKeysAfter(db, after, BATCH)
    if (keys.length === 0) return reviewed
    await db.transaction(async (tx) => {
      const states = (await demandByLevels(tx, keys)).map((row) => ({ sku: row.sku, locationId: row.locationId, state: demandStateOf(row) }))
      await suggestReplenishment(tx, states, day)
    })
    reviewed += keys.length
    after = keys.at(-1) ?? null
  }
}

/**
 * Runs `reviewReplenishment` for today every `intervalMs` (REPLENISHMENT_REVIEW_MS; 0: never).
 * Reviews never overlap within a process; replicas may review at once (the need key keeps each
 * need to one order).
 */
export function startReplenishmentReview(db: Database, log: Pick<FastifyBaseLogger, 'info' | 'error'>, intervalMs: number): Periodic {
  return every(
    intervalMs,
    async () => {
      const levels = await reviewReplenishment(db, Math.floor(Date.now() / DAY_MS))
      log.info({ levels }, 'replenishment reviewed')
    },
    (error) => log.error({ err: error }, 'replenishment review failed'),
  )
}
