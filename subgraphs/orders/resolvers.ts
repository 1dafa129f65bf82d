import { scalarResolvers } from '../../platform/scalars.ts'
import type { Resolvers } from './generated/resolvers.ts'
import { Cart } from './resolvers/cart.ts'
import { CartLine } from './resolvers/cartLine.ts'
import { Fulfillment } from './resolvers/fulfillment.ts'
import { FulfillmentLine } from './resolvers/fulfillmentLine.ts'
import { FulfillmentOrder } from './resolvers/fulfillmentOrder.ts'
import { LineItem } from './resolvers/lineItem.ts'
import { Mutation } from './resolvers/mutation.ts'
import { Order } from './resolvers/order.ts'
import { CartPayload, CheckoutCompletePayload, FulfillmentPayload, ReturnPayload } from './resolvers/payloads.ts'
import { Query } from './resolvers/query.ts'
import { Return } from './resolvers/return.ts'
import { ReturnLine } from './resolvers/returnLine.ts'

export const resolvers: Resolvers = {
  ...scalarResolvers,
  Query,
  Mutation,
  Cart,
  CartLine,
  Order,
  LineItem,
  FulfillmentOrder,
  FulfillmentLine,
  Fulfillment,
  Return,
  ReturnLine,
  CartPayload,
  CheckoutCompletePayload,
  FulfillmentPayload,
  ReturnPayload,
}
