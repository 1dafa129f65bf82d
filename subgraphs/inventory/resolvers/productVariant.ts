import type { ProductVariantResolvers } from '../generated/resolvers.ts'
import { requireDemandAccess } from '../access.ts'
import { isoDateOf } from '../forecast/day.ts'
import { stockoutRisk } from '../forecast/stockout.ts'
import { levelLoaderKey } from '../loaders.ts'
import { STOCK } from '../stockPage.ts'
import { MAX_FORECAST_DAYS, storedOutlook } from './demandForecast.ts'

/** The lead time stock-out risk is judged over while a level has no replenishment policy. */
export const DEFAULT_LEAD_TIME_DAYS = 7

/** Catalog owns the variant; inventory contributes its stock, batched across a page of variants. */
export const ProductVariant: ProductVariantResolvers = {
  __resolveReference: (ref) => ({ sku: ref.sku }),
  inventoryItem: (variant, _args, ctx) => ctx.loaders.item.load(variant.sku),
  availableToSell: (variant, { locationIds }, ctx) => ctx.loaders.availableToSell(locationIds).load(variant.sku),
  stock: (variant, { locationIds, first, after }, ctx) => {
    const request = STOCK.page({ first, after }, { maxPageSize: ctx.config.maxPageSize })
    return ctx.loaders.stock({ locationIds, request }).load(variant.sku)
  },
  stockoutRisk: async (variant, { locationId }, ctx) => {
    requireDemandAccess(ctx.viewer, locationId)
    const key = levelLoaderKey(variant.sku, locationId)
    const [level, policy] = await Promise.all([ctx.loaders.level.load(key), ctx.loaders.policy.load(key)])
    if (!level) return null
    const leadTimeDays = policy?.leadTimeDays ?? DEFAULT_LEAD_TIME_DAYS
    const forecast = await storedOutlook(ctx, variant.sku, locationId, Math.max(MAX_FORECAST_DAYS, leadTimeDays))
    const available = level.quantities.AVAILABLE
    const risk = stockoutRisk(available, forecast.points, leadTimeDays)
    return {
      available,
      daysOfCover: risk.daysOfCover,
      projectedStockoutDate: risk.stockoutDay === null ? null : isoDateOf(risk.stockoutDay),
      probabilityWithinLeadTime: risk.probabilityWithinLeadTime,
      leadTimeDays,
    }
  },
}
