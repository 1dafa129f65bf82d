import { scalarResolvers } from '../../platform/scalars.ts'
import type { Resolvers } from './generated/resolvers.ts'
import { Category } from './resolvers/category.ts'
import { Mutation } from './resolvers/mutation.ts'
import { MoneyRange, Price } from './resolvers/price.ts'
import { Product } from './resolvers/product.ts'
import { ProductVariant } from './resolvers/productVariant.ts'
import { Query } from './resolvers/query.ts'
import { VariantPricesSetPayload } from './resolvers/variantPricesSetPayload.ts'

export const resolvers: Resolvers = {
  ...scalarResolvers,
  Query,
  Mutation,
  Product,
  ProductVariant,
  Price,
  MoneyRange,
  Category,
  VariantPricesSetPayload,
}
