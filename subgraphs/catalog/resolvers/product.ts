import { requireEnabledCurrency } from '../../../platform/money.ts'
import { connectionKind } from '../../../platform/pagination.ts'
import { referenceKey } from '../referenceKey.ts'
import type { ProductResolvers } from '../generated/resolvers.ts'

const VARIANTS = connectionKind('Product.variants', ['integer', 'string'])

export const Product: ProductResolvers = {
  __resolveReference: (reference, { loaders }) => {
    const key = referenceKey(reference, ['id', 'handle'])
    if (!key) return null
    return key[0] === 'id' ? loaders.productById.load(key[1]) : loaders.productByHandle.load(key[1])
  },

  categories: (product, _, { loaders }) => loaders.productCategories.load(product.id),

  variants: async (product, { first, after }, { loaders, config }) => {
    const request = VARIANTS.page({ first, after }, { maxPageSize: config.maxPageSize })
    const variants = await loaders.productVariants({ limit: request.limit + 1, after: request.after }).load(product.id)
    return VARIANTS.connection(variants, request, (variant) => [variant.position, variant.id])
  },

  priceRange: (product, { currency, channelId }, { loaders }) =>
    loaders
      .productPriceRange({ currency: requireEnabledCurrency(currency), channelId: channelId ?? null, at: null })
      .load(product.id),
}
