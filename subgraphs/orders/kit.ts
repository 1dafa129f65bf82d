import { subgraphKit } from '../../platform/subgraphKit.ts'
import { ORDERS_AGGREGATES, type OrdersEvents } from './events.ts'
import type { OrderErrorCode } from './generated/resolvers.ts'

/** Orders' mutation runner, event publisher and userError factory, bound to its schema. */
export const kit = subgraphKit<OrdersEvents, OrderErrorCode>('orders', ORDERS_AGGREGATES)
