import type {
  CartPayloadResolvers,
  CheckoutCompletePayloadResolvers,
  FulfillmentPayloadResolvers,
  ReturnPayloadResolvers,
} from '../generated/resolvers.ts'
import { visibleTo } from '../../../platform/viewer.ts'

// Payloads carry ids (replayable JSON); what they point at is loaded as it is now.

export const CartPayload: CartPayloadResolvers = {
  cart: async ({ cartId }, _args, { viewer, loaders }) => (cartId ? visibleTo(viewer, await loaders.cartById.load(cartId)) : null),
}

export const CheckoutCompletePayload: CheckoutCompletePayloadResolvers = {
  order: async ({ orderId }, _args, { viewer, loaders }) => (orderId ? visibleTo(viewer, await loaders.orderById.load(orderId)) : null),
}

export const FulfillmentPayload: FulfillmentPayloadResolvers = {
  fulfillment: async ({ fulfillmentId }, _args, { viewer, loaders }) =>
    fulfillmentId ? visibleTo(viewer, await loaders.fulfillmentById.load(fulfillmentId)) : null,
}

export const ReturnPayload: ReturnPayloadResolvers = {
  return: async ({ returnId }, _args, { viewer, loaders }) => (returnId ? visibleTo(viewer, await loaders.returnById.load(returnId)) : null),
}
