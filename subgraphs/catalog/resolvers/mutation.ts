import type { MutationResolvers } from '../generated/resolvers.ts'
import { variantPricesSet } from '../mutations/variantPricesSet.ts'

export const Mutation: MutationResolvers = {
  variantPricesSet: (_, { input }, ctx) => variantPricesSet(input, ctx),
}
