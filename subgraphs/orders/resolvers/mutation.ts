import type { MutationResolvers } from '../generated/resolvers.ts'
import { cartLinesAdd } from '../cartLinesAdd.ts'
import { checkoutComplete } from '../checkoutComplete.ts'
import { fulfillmentCreate } from '../fulfillmentCreate.ts'
import { returnCreate } from '../returnCreate.ts'

export const Mutation: MutationResolvers = {
  cartLinesAdd: (_parent, { input }, context) => cartLinesAdd(input, context),
  checkoutComplete: (_parent, { input }, context) => checkoutComplete(input, context),
  fulfillmentCreate: (_parent, { input }, context) => fulfillmentCreate(input, context),
  returnCreate: (_parent, { input }, context) => returnCreate(input, context),
}
