import type { MutationResolvers } from '../generated/resolvers.ts'
import { cartLinesAdd } from '../cartLinesAdd.ts'
import type { OrderUserErrorModel } from '../models.ts'

/**
 * The mutations that need the event bus (stock reservation, OrderPlaced, ...) come with it. Until
 * then they answer with a userError and write nothing, rather than failing the whole request.
 */
// TODO: implement with the event bus and the inventory reservation client (next piece of work)
const notAvailableYet = (mutation: string): OrderUserErrorModel[] => [
  { code: 'INVALID', field: ['input'], message: `${mutation} is not available yet` },
]

export const Mutation: MutationResolvers = {
  cartLinesAdd: (_parent, { input }, context) => cartLinesAdd(input, context),
  checkoutComplete: () => ({ orderId: null, userErrors: notAvailableYet('checkoutComplete') }),
  fulfillmentCreate: () => ({ fulfillmentId: null, userErrors: notAvailableYet('fulfillmentCreate') }),
  returnCreate: () => ({ returnId: null, userErrors: notAvailableYet('returnCreate') }),
}
