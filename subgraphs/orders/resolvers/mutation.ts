import type { MutationResolvers } from '../generated/resolvers.ts'
import { cartLinesAdd } from '../mutations/cartLinesAdd.ts'
import { checkoutComplete } from '../mutations/checkoutComplete.ts'
import { fulfillmentCreate } from '../mutations/fulfillmentCreate.ts'
import { returnCreate } from '../mutations/returnCreate.ts'

export const Mutation: MutationResolvers = {
  cartLinesAdd: (_parent, { input }, context) => cartLinesAdd(input, context),
  checkoutComplete: (_parent, { input }, context) => checkoutComplete(input, context),
  fulfillmentCreate: (_parent, { input }, context) => fulfillmentCreate(input, context),
  returnCreate: (_parent, { input }, context) => returnCreate(input, context),
}
