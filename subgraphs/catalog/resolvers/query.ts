import { badUserInput } from '../../../platform/errors.ts'
import { connectionKind } from '../../../platform/pagination.ts'
import type { QueryResolvers } from '../generated/resolvers.ts'
import { topLevelCategories } from '../store/categoryStore.ts'
import { searchProducts } from '../store/productStore.ts'
import { listedStatuses } from '../access.ts'

const PRODUCTS = connectionKind('Query.products', ['string'])

export const Query: QueryResolvers = {
  product: (_, { id, handle }, { loaders }) => {
    const [name, value] = exactlyOne({ id, handle })
    return name === 'id' ? loaders.productById.load(value) : loaders.productByHandle.load(value)
  },

  products: async (_, args, { db, viewer, config, loaders }) => {
    const request = PRODUCTS.page(args, { maxPageSize: config.maxPageSize })
    const filter = args.filter ?? {}
    const query = filter.query?.trim() || null
    const rows = await searchProducts(
      db,
      {
        query,
        categoryId: filter.categoryId ?? null,
        statuses: listedStatuses(viewer, filter.status),
        updatedSince: filter.updatedSince ?? null,
      },
      { forward: request.forward, afterId: request.after?.[0] ?? null, beforeId: request.before?.[0] ?? null, limit: request.limit + 1 },
    )
    // listed products are visible ones: their variants' `product` needs no second lookup
    for (const row of rows) loaders.productById.prime(row.id, row)
    return PRODUCTS.connection(rows, request, (product) => [product.id])
  },

  variant: (_, { id, sku }, { loaders }) => {
    const [name, value] = exactlyOne({ id, sku })
    return name === 'id' ? loaders.variantById.load(value) : loaders.variantBySku.load(value)
  },

  categories: (_, { parentId }, { db, loaders }) =>
    parentId === null || parentId === undefined ? topLevelCategories(db) : loaders.categoryChildren.load(parentId),
}

/** Alternative arguments: exactly one must be given, else the request cannot be served. */
function exactlyOne<K extends string>(args: Record<K, string | null | undefined>): [K, string] {
  const names = Object.keys(args) as K[]
  const given = names.filter((name) => args[name] !== null && args[name] !== undefined)
  const [name] = given
  if (given.length !== 1 || name === undefined) throw badUserInput(`pass exactly one of ${names.map((n) => `'${n}'`).join(' or ')}`)
  return [name, args[name] as string]
}
