import { randomUUID } from 'node:crypto'
import type { Queryable } from '../../../platform/db.ts'
import { outlook, type DemandState } from '../demand.ts'
import { decideReplenishment } from '../forecast/replenishment.ts'
import { levelsByKeys, type LevelKey } from '../store/levelStore.ts'
import { policiesByLevels } from '../store/policyStore.ts'
import { kit } from '../kit.ts'
import { insertDraftForNeed, insertSubmittedForNeed, type NeedDraft } from '../store/replenishmentStore.ts'

const DAY_MS = 86_400_000

/**
 * After demand moved: for each level with a replenishment policy, decides from its fresh forecast
 * whether its inventory position (AVAILABLE + INCOMING) is below the reorder point, and if so
 * drafts a purchase order for staff to approve (SUGGEST) or records one SUBMITTED for the supplier
 * (AUTO): one per need (sku, location, review window), so redelivered or later events in the same
 * window order nothing more. Same transaction as the event. An AUTO order is not placed here: the
 * transaction appends PurchaseOrderSubmitted, and the placement consumer (placePurchaseOrders.ts)
 * asks the supplier once it has committed.
 */
export async function suggestReplenishment(tx: Queryable, states: readonly (LevelKey & { readonly state: DemandState })[], day: number): Promise<void> {
  const policies = await policiesByLevels(tx, states)
  if (policies.length === 0) return
  const levels = new Map((await levelsByKeys(tx, policies)).map((l) => [JSON.stringify([l.sku, l.locationId]), l]))
  const demand = new Map(states.map((s) => [JSON.stringify([s.sku, s.locationId]), s.state]))
  for (const policy of policies) {
    const key = JSON.stringify([policy.sku, policy.locationId])
    const level = levels.get(key)
    const state = demand.get(key)
    if (!level || !state) continue
    const { points } = outlook(state, day, policy.leadTimeDays + policy.reviewPeriodDays)
    const decision = decideReplenishment({
      sku: policy.sku,
      locationId: policy.locationId,
      day,
      available: level.quantities.AVAILABLE,
      incoming: level.quantities.INCOMING,
      forecast: points,
      policy,
    })
    if (decision.action === 'none' || decision.needKey === null || decision.expectedArrivalDay === null) continue
    const order = {
      id: `repl_${randomUUID()}`,
      destinationLocationId: policy.locationId,
      supplierId: policy.supplierId,
      needKey: decision.needKey,
      expectedAt: new Date(decision.expectedArrivalDay * DAY_MS),
      sku: policy.sku,
      quantity: decision.quantity,
    }
    if (decision.action === 'suggest') await insertDraftForNeed(tx, order)
    else await submitForNeed(tx, order)
  }
}

/**
 * Records an AUTO order SUBMITTED for its need and asks for its placement (PurchaseOrderSubmitted,
 * in the same transaction), unless the need already has an order; true when it was recorded.
 */
export async function submitForNeed(tx: Queryable, order: NeedDraft): Promise<boolean> {
  if (!(await insertSubmittedForNeed(tx, order))) return false
  await kit.publish(tx, {
    type: 'PurchaseOrderSubmitted',
    aggregateId: order.id,
    payload: {
      replenishmentId: order.id,
      supplierId: order.supplierId,
      destinationLocationId: order.destinationLocationId,
      idempotencyKey: order.id,
      expectedAt: order.expectedAt.toISOString(),
      lines: [{ sku: order.sku, quantity: order.quantity }],
    },
  })
  return true
}
