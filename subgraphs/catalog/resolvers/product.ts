import { requireEnabledCurrency } from '../../../platform/money.ts'
import { pageRequest, toConnection } from '../../../platform/pagination.ts'
import { variantKey } from '../cursorKeys.ts'
import { referenceKey } from '../referenceKey.ts'
import type { ProductResolvers } from '../generated/resolvers.ts'

const VARIANTS = 'Product.variants'

export const Product: ProductResolvers = {
  __resolveReference: (reference, { loaders }) => {
    const key = referenceKey(reference, ['id', 'handle'])
    if (!key) return null
    return key[0] === 'id' ? loaders.productById.load(key[1]) : loaders.productByHandle.load(key[1])
  },

  categories: (product, _, { loaders }) => loaders.productCategories.load(product.id),

  variants: async (product, { first, after }, { loaders, config }) => {
    const request = pageRequest({ first, after }, { kind: VARIANTS, maxPageSize: config.maxPageSize, arity: 2 })
    const variants = await loaders.productVariants({ limit: request.limit + 1, after: variantKey(request.after) }).load(product.id)
    return toConnection(variants, request, VARIANTS, (variant) => [variant.position, variant.id])
  },

  priceRange: (product, { currency, channelId }, { loaders }) =>
    loaders
      .productPriceRange({ currency: requireEnabledCurrency(currency), channelId: channelId ?? null, at: loaders.now })
      .load(product.id),
}
