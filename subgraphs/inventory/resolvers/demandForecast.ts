import { badUserInput } from '../../../platform/errors.ts'
import { requireDemandAccess } from '../access.ts'
import { dayOfInstant, outlook, type DemandOutlook } from '../demand.ts'
import { isoDateOf } from '../forecast/day.ts'
import type { DemandForecastResolvers } from '../generated/resolvers.ts'
import { levelLoaderKey } from '../loaders.ts'
import type { Context } from '../subgraph.ts'

/** The longest forecast `InventoryLevel.forecast` answers, and the horizon of `stockoutRisk`. */
export const MAX_FORECAST_DAYS = 90

/** The forecast of one level, from today on, after the access check. */
export async function levelOutlook(ctx: Context, sku: string, locationId: string, days: number): Promise<DemandOutlook> {
  requireDemandAccess(ctx.viewer, locationId)
  if (!Number.isInteger(days) || days < 1 || days > MAX_FORECAST_DAYS) throw badUserInput(`days must be 1 to ${MAX_FORECAST_DAYS}, got ${days}`, 'days')
  return storedOutlook(ctx, sku, locationId, days)
}

/** The forecast of one level over `days` from today; the caller has checked access. */
export async function storedOutlook(ctx: Context, sku: string, locationId: string, days: number): Promise<DemandOutlook> {
  const stored = await ctx.loaders.demand.load(levelLoaderKey(sku, locationId))
  return outlook(stored?.state ?? null, dayOfInstant(new Date()), days)
}

export const DemandForecast: DemandForecastResolvers = {
  model: (forecast) => forecast.model.kind,
  fittedThrough: (forecast) => (forecast.model.kind === 'NONE' ? null : isoDateOf(forecast.model.fittedThrough)),
  holdoutDays: (forecast) => forecast.holdout?.days ?? 0,
  mape: (forecast) => forecast.holdout?.mape ?? null,
  wape: (forecast) => forecast.holdout?.wape ?? null,
  intervalLevel: (forecast) => forecast.coverage,
  points: (forecast) => forecast.points.map((p) => ({ date: isoDateOf(p.day), expected: p.mean, lower: p.lower, upper: p.upper })),
}
