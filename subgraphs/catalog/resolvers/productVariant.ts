import { requireEnabledCurrency } from '../../../platform/money.ts'
import type { ProductVariantResolvers } from '../generated/resolvers.ts'
import { referenceKey } from '../referenceKey.ts'

export const ProductVariant: ProductVariantResolvers = {
  __resolveReference: (reference, { loaders }) => {
    const key = referenceKey(reference, ['id', 'sku'])
    if (!key) return null
    return key[0] === 'id' ? loaders.variantById.load(key[1]) : loaders.variantBySku.load(key[1])
  },

  product: async (variant, _, { loaders }) => {
    const product = await loaders.productById.load(variant.productId)
    // a variant is visible exactly when its product is, so this cannot be null
    if (!product) throw new Error(`product ${variant.productId} of variant ${variant.id} is not visible`)
    return product
  },

  price: (variant, { currency, channelId, at }, { loaders }) =>
    loaders
      .variantPrice({ currency: requireEnabledCurrency(currency), channelId: channelId ?? null, at: at ?? null })
      .load(variant.id),
}
