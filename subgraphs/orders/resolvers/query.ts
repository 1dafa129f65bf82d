import { badUserInput } from '../../../platform/errors.ts'
import { pageRequest, toConnection, type CursorKey } from '../../../platform/pagination.ts'
import { isStaff, requireSubject, visibleTo } from '../../../platform/viewer.ts'
import type { QueryResolvers } from '../generated/resolvers.ts'
import type { OrderModel } from '../models.ts'
import { orderPage, type OrderKey } from '../store/orderStore.ts'

const ORDER_CONNECTION = 'OrderConnection'
const TIMESTAMP_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/

/** What the store's `placedAtKey` looks like; a real date too (PostgreSQL refuses Feb 30, V8 rolls it over). */
function isTimestampKey(value: string): boolean {
  const time = Date.parse(value)
  return TIMESTAMP_KEY.test(value) && !Number.isNaN(time) && new Date(time).toISOString().slice(0, 19) === value.slice(0, 19)
}

/** A decoded cursor is only shaped like a key: its values must also fit the SQL they go into. */
function orderKey(key: CursorKey | null, argumentName: string): OrderKey | null {
  if (key === null) return null
  const [placedAtKey, id] = key
  if (typeof placedAtKey !== 'string' || !isTimestampKey(placedAtKey) || typeof id !== 'string') {
    throw badUserInput(`'${argumentName}' is not a valid cursor for this connection`, argumentName)
  }
  return [placedAtKey, id]
}

export const Query: QueryResolvers = {
  cart: async (_parent, { id }, { viewer, loaders }) => visibleTo(viewer, await loaders.cartById.load(id)),

  order: async (_parent, { id, number }, { viewer, loaders }) => {
    if (id != null && number != null) throw badUserInput(`pass 'id' or 'number', not both`, 'number')
    if (id != null) return visibleTo(viewer, await loaders.orderById.load(id))
    if (number != null) return visibleTo(viewer, await loaders.orderByNumber.load(number))
    throw badUserInput(`pass 'id' or 'number'`, 'id')
  },

  orders: async (_parent, { first, after, last, before, filter }, { viewer, db, config, loaders }) => {
    const subject = requireSubject(viewer)
    const request = pageRequest({ first, after, last, before }, { kind: ORDER_CONNECTION, maxPageSize: config.maxPageSize, arity: 2 })
    const rows = await orderPage(db, {
      customerId: isStaff(viewer) ? null : subject,
      status: filter?.status ?? null,
      placedAfter: filter?.placedAfter ?? null,
      sku: filter?.sku ?? null,
      after: orderKey(request.after, 'after'),
      before: orderKey(request.before, 'before'),
      forward: request.forward,
      limit: request.limit + 1,
    })
    // their fulfillment orders and returns point back at these orders
    for (const order of rows) loaders.orderById.prime(order.id, order)
    return toConnection(rows, request, ORDER_CONNECTION, (order: OrderModel) => [order.placedAtKey, order.id])
  },
}
