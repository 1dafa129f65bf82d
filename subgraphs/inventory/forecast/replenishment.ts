import { assertDay, isoDateOf } from './day.ts'
import type { ForecastPoint } from './forecast.ts'
import { inverseNormalCdf } from './normal.ts'

/**
 * When to order, and how much, for one SKU at one location, from its forecast and its policy.
 *
 * - inventory position = available + incoming (what is on hand to sell, and what is on its way)
 * - safety stock = z(service level) · σ_L, σ_L the spread of the lead time's total demand
 * - reorder point = expected demand over the lead time + safety stock
 * - order-up-to = expected demand over lead time + review period + z · σ_{L+R}: an order placed
 *   now must last until the next one can arrive, one review period later
 * - when the position falls below the reorder point, order the order-up-to level less the
 *   position, rounded up to whole packs and to at least the minimum order quantity.
 */
export type ReplenishmentMode = 'SUGGEST' | 'AUTO'
export type ReplenishmentAction = 'none' | 'suggest' | 'place'

export interface ReplenishmentPolicy {
  readonly supplierId: string
  /** Days from ordering to the units being available; an integer, 0 or more. */
  readonly leadTimeDays: number
  /** Days between two chances to order; an integer, 1 or more (1: whenever demand moves). */
  readonly reviewPeriodDays: number
  /** The chance of not running out before an order arrives, from 0.5 to below 1 (0.95: 95 %). */
  readonly serviceLevel: number
  /** Fewest units an order may ask for; an integer, 0 or more. */
  readonly minimumOrderQuantity: number
  /** Units come in packs of this many; an integer, 1 or more. */
  readonly packSize: number
  /** SUGGEST drafts the order for someone to approve; AUTO places it. */
  readonly mode: ReplenishmentMode
}

export interface ReplenishmentInput {
  readonly sku: string
  readonly locationId: string
  /** The day deciding: it names the need's review window and dates the arrival. */
  readonly day: number
  readonly available: number
  /** Units on open orders to this location, not arrived yet. */
  readonly incoming: number
  /** From the first day the stock must cover on, at least lead time + review period days. */
  readonly forecast: readonly ForecastPoint[]
  readonly policy: ReplenishmentPolicy
}

export interface ReplenishmentDecision {
  readonly action: ReplenishmentAction
  /** Units to order; 0 when the action is none. */
  readonly quantity: number
  readonly inventoryPosition: number
  readonly safetyStock: number
  readonly reorderPoint: number
  readonly orderUpTo: number
  /** What an order for this need is known by (see `needKey`); null when no order is due. */
  readonly needKey: string | null
  /** When an order placed today arrives; null when no order is due. */
  readonly expectedArrivalDay: number | null
}

/** Every way the policy is unusable, at once; empty when it is fine. */
export function policyProblems(policy: ReplenishmentPolicy): string[] {
  const problems: string[] = []
  const integer = (value: number, name: string, least: number) => {
    if (!Number.isSafeInteger(value) || value < least) problems.push(`${name} must be an integer of at least ${least}, got ${value}`)
  }
  if (policy.supplierId.length === 0) problems.push('supplierId must not be empty')
  integer(policy.leadTimeDays, 'leadTimeDays', 0)
  integer(policy.reviewPeriodDays, 'reviewPeriodDays', 1)
  integer(policy.minimumOrderQuantity, 'minimumOrderQuantity', 0)
  integer(policy.packSize, 'packSize', 1)
  // below 0.5, z turns negative: a "safety" stock that plans to run out more often than not
  if (!(policy.serviceLevel >= 0.5 && policy.serviceLevel < 1)) problems.push(`serviceLevel must be from 0.5 to below 1, got ${policy.serviceLevel}`)
  if (policy.mode !== 'SUGGEST' && policy.mode !== 'AUTO') problems.push(`mode must be SUGGEST or AUTO, got ${String(policy.mode)}`)
  return problems
}

/** z · σ over the first `days` forecast days (0 over none). */
export function safetyStock(serviceLevel: number, points: readonly ForecastPoint[], days: number): number {
  if (days === 0) return 0
  const point = points[days - 1]
  if (!point) throw new RangeError(`the forecast covers ${points.length} days, fewer than ${days}`)
  return inverseNormalCdf(serviceLevel) * Math.sqrt(point.cumulativeVariance)
}

/**
 * `need` in whole packs, and at least the minimum order quantity (itself rounded up to whole
 * packs, since a supplier ships packs); 0 when nothing is needed.
 */
export function orderQuantity(need: number, packSize: number, minimumOrderQuantity: number): number {
  if (!(need > 0)) return 0
  // a need of 24.000000001 after float arithmetic is two packs of 12, not three
  const packs = Math.ceil(need / packSize - 1e-9)
  return Math.max(packs, Math.ceil(minimumOrderQuantity / packSize)) * packSize
}

/**
 * What an order for this need is known by: SKU, location and the review window holding `day`
 * (windows of `reviewPeriodDays` counted from 1970-01-01, so every recompute in one window finds
 * the same key). A store that keeps one open order per key places it once however many events
 * ask; a later window's need is a new one, and by then the first order counts as incoming.
 */
export function needKey(sku: string, locationId: string, day: number, reviewPeriodDays: number): string {
  assertDay(day)
  const windowStart = day - (((day % reviewPeriodDays) + reviewPeriodDays) % reviewPeriodDays)
  return [encodeURIComponent(sku), encodeURIComponent(locationId), isoDateOf(windowStart)].join('/')
}

export function decideReplenishment(input: ReplenishmentInput): ReplenishmentDecision {
  const { policy, forecast } = input
  const problems = policyProblems(policy)
  if (problems.length > 0) throw new RangeError(`Invalid replenishment policy:\n- ${problems.join('\n- ')}`)
  assertDay(input.day)
  const { leadTimeDays: lead, reviewPeriodDays: review } = policy
  if (forecast.length < lead + review) throw new RangeError(`the forecast covers ${forecast.length} days, fewer than lead time + review period (${lead + review})`)

  const inventoryPosition = input.available + input.incoming
  const demandOver = (days: number) => (days === 0 ? 0 : forecast[days - 1]!.cumulativeMean)
  const safety = safetyStock(policy.serviceLevel, forecast, lead)
  const reorderPoint = demandOver(lead) + safety
  const orderUpTo = demandOver(lead + review) + safetyStock(policy.serviceLevel, forecast, lead + review)
  const quantity = inventoryPosition < reorderPoint ? orderQuantity(orderUpTo - inventoryPosition, policy.packSize, policy.minimumOrderQuantity) : 0
  const due = quantity > 0
  return {
    action: !due ? 'none' : policy.mode === 'AUTO' ? 'place' : 'suggest',
    quantity,
    inventoryPosition,
    safetyStock: safety,
    reorderPoint,
    orderUpTo,
    needKey: due ? needKey(input.sku, input.locationId, input.day, review) : null,
    expectedArrivalDay: due ? input.day + lead : null,
  }
}
