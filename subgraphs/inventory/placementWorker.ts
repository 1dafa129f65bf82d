import type { FastifyBaseLogger } from 'fastify'
import type { Database, Queryable } from '../../platform/db.ts'
import { kit } from './kit.ts'
import { replenishmentUri } from './mutations/purchaseOrderApprove.ts'
import { applyLevelChangesOrThrow } from './store/levelChangeStore.ts'
import {
  claimPlacements,
  deferPlacement,
  lockReplenishment,
  recordAcknowledgement,
  recordPlacementFailure,
  releasePlacement,
  replenishmentLinesByIds,
  type ClaimedPlacement,
} from './store/replenishmentStore.ts'
import { SupplierUnavailableError, type SupplierAcknowledgement, type SupplierAdapter } from './suppliers/supplier.ts'

/**
 * How often the worker looks for SUBMITTED orders unprompted: orders it was not woken for (one
 * left by a replica that stopped mid-placement, or deferred by another replica). A new order
 * wakes it at once (PurchaseOrderSubmitted on the bus), a deferred one when its pause ends.
 */
export const PLACEMENT_SWEEP_MS = 30_000
/** The pause before an order whose placement failed on our side is taken again. */
const RETRY_AFTER_FAILURE_MS = 1000
/** Orders one pass places, one after another. */
const BATCH = 20
/** The rejection code recorded when the supplier accepted none of the units: a retry asks under a new key. */
export const NONE_ACCEPTED = 'NONE_ACCEPTED'

export interface PlacementWorkerOptions {
  readonly db: Database
  /** The supplier behind its timeout, retries and breaker (resilientSupplier.ts); null when none is configured. */
  readonly supplier: SupplierAdapter | null
  /** Placements of one order before it is PLACEMENT_FAILED (SUPPLIER_PLACEMENT_ATTEMPTS). */
  readonly maxAttempts: number
  /**
   * How long a worker holds an order it took: longer than one placement with its retries can
   * last, so no other worker asks the supplier meanwhile (it would be harmless: same key).
   */
  readonly leaseMs: number
  /** The pause after a placement with no answer, doubled per placement up to a minute (CIRCUIT_OPEN_MS: sooner, the breaker would refuse anyway). */
  readonly retryBaseMs: number
  readonly logger: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>
  /** PLACEMENT_SWEEP_MS unless told; 0: no timer (tests call `runOnce`). */
  readonly sweepMs?: number
}

export interface PlacementWorker {
  /** One pass: takes the SUBMITTED orders that are due and places each; how many it took. */
  runOnce(): Promise<number>
  /** A pass soon (after the one running, if any): an order was submitted. */
  wake(): void
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>
}

/**
 * Places AUTO purchase orders with their supplier, outside any transaction that records them.
 * The consumer's transaction recorded the order SUBMITTED (with PurchaseOrderSubmitted); this worker
 * takes it (claimPlacements: one worker at a time, under a lease), asks the supplier under the
 * order's idempotency key, then records the answer in a transaction of its own, only while the
 * order is still SUBMITTED under that key (the row locked): however many workers or replicas ask,
 * and however late an answer comes, one answer is applied, once, and the supplier, asked again
 * under one key, takes the order once.
 *
 * - accepted: ORDERED, lines lowered to the units accepted (the units asked kept as
 *   requestedQuantity), INCOMING += them (ledger reason PURCHASE_ORDER, stock events as usual),
 *   expectedAt the promised date, PurchaseOrderPlaced;
 * - rejected, or nothing accepted: PLACEMENT_FAILED with the supplier's code (staff retry under a
 *   new key, or cancel);
 * - no answer (timeouts, failed connections, the breaker open): SUBMITTED still, the failure noted,
 *   taken again after a pause; after `maxAttempts` placements PLACEMENT_FAILED (a retry asks
 *   under the same key: the supplier may have taken it).
 */
export function startPlacementWorker(options: PlacementWorkerOptions): PlacementWorker {
  const { db, logger } = options
  let running: Promise<number> | null = null

  const placeOne = async (order: ClaimedPlacement) => {
    const lines = (await replenishmentLinesByIds(db, [order.id])).map((l) => ({ sku: l.sku, quantity: l.quantity }))
    if (!options.supplier) {
      return db.transaction((tx) => recordOutcome(tx, order, { kind: 'gave_up', message: 'no supplier is configured for this deployment' }))
    }
    let ack: SupplierAcknowledgement
    try {
      ack = await options.supplier.placeOrder({
        idempotencyKey: order.supplierOrderKey,
        supplierId: order.supplierId,
        destinationLocationId: order.destinationLocationId,
        requestedArrival: order.expectedAt ? new Date(order.expectedAt).toISOString() : null,
        lines,
      })
    } catch (error) {
      if (!(error instanceof SupplierUnavailableError)) throw error
      if (order.attempts >= options.maxAttempts) {
        const message = `no answer from the supplier after ${order.attempts} placements (last: ${error.message}); it may have taken the order: a retry asks under the same key`
        return db.transaction((tx) => recordOutcome(tx, order, { kind: 'gave_up', message }))
      }
      const pause = Math.max(error.retryAfterMs, Math.min(60_000, options.retryBaseMs * 2 ** (order.attempts - 1)))
      logger.warn({ replenishmentId: order.id, attempts: order.attempts, retryInMs: pause, reason: error.message }, 'purchase order placement got no answer; will retry')
      await deferPlacement(db, order.id, order.supplierOrderKey, error.message, pause)
      return later(pause)
    }
    await db.transaction((tx) => recordOutcome(tx, order, { kind: 'answered', ack }))
  }

  const pass = async () => {
    const orders = await claimPlacements(db, BATCH, options.leaseMs)
    for (const order of orders) {
      // one order's failure on our side (the database gone for a moment, a deadlock) holds back
      // no other; its lease would keep it until the sweep: it is freed and taken again soon (when
      // even freeing fails, once the lease ends). The supplier, asked again, answers under the key.
      await placeOne(order).catch(async (error: unknown) => {
        logger.error({ err: error, replenishmentId: order.id }, 'purchase order placement failed; taken again in a moment')
        const freed = await releasePlacement(db, order.id, order.supplierOrderKey).then(() => true, () => false)
        later(freed ? RETRY_AFTER_FAILURE_MS : options.leaseMs)
      })
    }
    return orders.length
  }

  let stopped = false
  // woken while a pass runs: that pass may have claimed before the new order committed
  let again = false
  const wakes = new Set<NodeJS.Timeout>()
  const runOnce = (): Promise<number> => {
    if (running) return running
    running = pass().finally(() => {
      running = null
      if (again && !stopped) {
        again = false
        wake()
      }
    })
    return running
  }
  const wake = () => {
    if (stopped) return
    if (running) {
      again = true
      return
    }
    runOnce().catch((error: unknown) => {
      // the orders it would have taken are still due: again in a moment, not at the next sweep
      logger.error({ err: error }, 'purchase order placement pass failed; again in a moment')
      later(RETRY_AFTER_FAILURE_MS)
    })
  }
  const later = (ms: number) => {
    if (stopped) return
    const timer = setTimeout(() => {
      wakes.delete(timer)
      wake()
    }, ms)
    timer.unref()
    wakes.add(timer)
  }
  const sweepMs = options.sweepMs ?? PLACEMENT_SWEEP_MS
  const sweep = sweepMs > 0 ? setInterval(wake, sweepMs) : null
  sweep?.unref()
  return {
    runOnce,
    wake,
    async stop() {
      stopped = true
      if (sweep) clearInterval(sweep)
      for (const timer of wakes) clearTimeout(timer)
      await running?.catch(() => {})
    },
  }
}

type Outcome = { readonly kind: 'answered'; readonly ack: SupplierAcknowledgement } | { readonly kind: 'gave_up'; readonly message: string }

async function recordOutcome(tx: Queryable, order: ClaimedPlacement, outcome: Outcome): Promise<void> {
  const { id } = order
  const found = await lockReplenishment(tx, id)
  // another worker's answer was applied first, or staff retried it under another key meanwhile
  if (!found || found.replenishment.status !== 'SUBMITTED' || found.placement.supplierOrderKey !== order.supplierOrderKey) return
  if (outcome.kind === 'gave_up') return recordPlacementFailure(tx, id, outcome.message, null)
  const { ack } = outcome
  if (ack.outcome === 'rejected') return recordPlacementFailure(tx, id, `the supplier rejected the order: ${ack.code}${ack.message ? `: ${ack.message}` : ''}`, ack.code)
  const accepted = new Map(ack.lines.map((l) => [l.sku, l.quantity]))
  const lines = found.lines.map((l) => ({ sku: l.sku, quantity: accepted.get(l.sku) ?? 0, requested: l.quantity }))
  if (lines.every((l) => l.quantity === 0)) return recordPlacementFailure(tx, id, 'the supplier accepted none of the units', NONE_ACCEPTED)
  const promisedAt = ack.promisedAt ? new Date(ack.promisedAt) : null
  await recordAcknowledgement(tx, id, { supplierReference: ack.supplierReference, promisedAt, lines })
  const destination = found.replenishment.destinationLocationId
  await applyLevelChangesOrThrow(tx, {
    reason: 'PURCHASE_ORDER',
    referenceDocumentUri: replenishmentUri(id),
    actor: null,
    changes: lines.filter((l) => l.quantity > 0).map((l) => ({ sku: l.sku, locationId: destination, name: 'INCOMING' as const, delta: l.quantity })),
  })
  const expectedAt = promisedAt ?? found.replenishment.expectedAt
  const short = lines.some((l) => l.quantity < l.requested)
  await kit.publish(tx, {
    type: 'PurchaseOrderPlaced',
    aggregateId: id,
    payload: {
      replenishmentId: id,
      supplierId: found.supplierId,
      destinationLocationId: destination,
      expectedAt: expectedAt ? new Date(expectedAt).toISOString() : null,
      lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
      supplierReference: ack.supplierReference,
      ...(short ? { requestedLines: lines.map((l) => ({ sku: l.sku, quantity: l.requested })) } : {}),
    },
  })
}
