import type { SeasonPolicy } from './demand.ts'

/**
 * The baseline buyer: what a person without forecasts runs. Every review period (each SKU on its
 * own weekday, so orders spread over the week) they look at the last four weeks of sales, take
 * the mean, and order up to that mean times lead time plus review period (plus a buffer, a share
 * of that on top: none by default); no weekly or yearly season, no trend, no service level. The
 * same lead time, review period, minimum order and pack size as the forecast scenario's policy.
 */
export const BASELINE_WINDOW_DAYS = 28

export interface BaselineInput {
  /** The SKU's position in the run: staggers its review day. */
  readonly skuIndex: number
  /** Day of the run, 0-based. */
  readonly day: number
  readonly policy: SeasonPolicy
  /** Share added on top of the order-up-to level (0.3: 30 %). */
  readonly buffer: number
  /** Units sold on each day so far (the baseline sees sales; lost demand is invisible to it too). */
  readonly sales: readonly number[]
  readonly available: number
  readonly incoming: number
}

/** The baseline's estimate of a day's demand: the mean of its last four weeks of sales (0 before any). */
export function baselineRate(sales: readonly number[]): number {
  const recent = sales.slice(-BASELINE_WINDOW_DAYS)
  return recent.length === 0 ? 0 : recent.reduce((a, b) => a + b, 0) / recent.length
}

/** Units the baseline orders at the end of `day` (0-based); 0 when it is not a review day or the position suffices. */
export function baselineOrder(input: BaselineInput): number {
  const { policy } = input
  if (input.day === 0 || (input.day + input.skuIndex) % policy.reviewPeriodDays !== 0) return 0
  const target = Math.ceil((1 + input.buffer) * baselineRate(input.sales) * (policy.leadTimeDays + policy.reviewPeriodDays))
  const short = target - (input.available + input.incoming)
  if (short <= 0) return 0
  return Math.ceil(Math.max(short, policy.minimumOrderQuantity) / policy.packSize) * policy.packSize
}
