import type { ProductVariantResolvers } from '../generated/resolvers.ts'
import { STOCK } from '../stockPage.ts'

/** Catalog owns the variant; inventory contributes its stock, batched across a page of variants. */
export const ProductVariant: ProductVariantResolvers = {
  __resolveReference: (ref) => ({ sku: ref.sku }),
  inventoryItem: (variant, _args, ctx) => ctx.loaders.item.load(variant.sku),
  availableToSell: (variant, { locationIds }, ctx) => ctx.loaders.availableToSell(locationIds).load(variant.sku),
  stock: (variant, { locationIds, first, after }, ctx) => {
    const request = STOCK.page({ first, after }, { maxPageSize: ctx.config.maxPageSize })
    return ctx.loaders.stock({ locationIds, request }).load(variant.sku)
  },
}
