import { connectionKind } from '../../../platform/pagination.ts'
import type { CategoryResolvers } from '../generated/resolvers.ts'
import { referenceKey } from '../referenceKey.ts'

const PRODUCTS = connectionKind('Category.products', ['string'])

export const Category: CategoryResolvers = {
  __resolveReference: (reference, { loaders }) => {
    const key = referenceKey(reference, ['id'])
    return key ? loaders.categoryById.load(key[1]) : null
  },

  parent: (category, _, { loaders }) => (category.parentId === null ? null : loaders.categoryById.load(category.parentId)),

  children: (category, _, { loaders }) => loaders.categoryChildren.load(category.id),

  products: async (category, { first, after }, { loaders, config }) => {
    const request = PRODUCTS.page({ first, after }, { maxPageSize: config.maxPageSize })
    const products = await loaders.categoryProducts({ limit: request.limit + 1, afterId: request.after?.[0] ?? null }).load(category.id)
    return PRODUCTS.connection(products, request, (product) => [product.id])
  },
}
