import { pageRequest, toConnection } from '../../../platform/pagination.ts'
import { idKey } from '../cursorKeys.ts'
import type { CategoryResolvers } from '../generated/resolvers.ts'
import { referenceKey } from '../referenceKey.ts'

const PRODUCTS = 'Category.products'

export const Category: CategoryResolvers = {
  __resolveReference: (reference, { loaders }) => {
    const key = referenceKey(reference, ['id'])
    return key ? loaders.categoryById.load(key[1]) : null
  },

  parent: (category, _, { loaders }) => (category.parentId === null ? null : loaders.categoryById.load(category.parentId)),

  children: (category, _, { loaders }) => loaders.categoryChildren.load(category.id),

  products: async (category, { first, after }, { loaders, config }) => {
    const request = pageRequest({ first, after }, { kind: PRODUCTS, maxPageSize: config.maxPageSize })
    const products = await loaders.categoryProducts({ limit: request.limit + 1, afterId: idKey(request.after, 'after') }).load(category.id)
    return toConnection(products, request, PRODUCTS, (product) => [product.id])
  },
}
