import { randomUUID } from 'node:crypto'
import type { Queryable } from '../../../platform/db.ts'
import { requireStaff } from '../../../platform/viewer.ts'
import type { FulfillmentCreateInput } from '../generated/resolvers.ts'
import { kit } from '../kit.ts'
import type { FulfillmentPayloadModel, OrderUserErrorModel } from '../models.ts'
import { present } from '../invariants.ts'
import {
  addFulfilledQuantities,
  fulfillmentOrdersBy,
  linePositionsByOrderId,
  refreshFulfillmentOrderStatus,
  type LineQuantity,
} from '../store/fulfillmentOrderStore.ts'
import { insertFulfillments } from '../store/fulfillmentStore.ts'
import { lockOrder, refreshFulfillmentStatus } from '../store/orderStore.ts'
import { appendTimeline } from '../store/timelineStore.ts'
import type { Context } from '../subgraph.ts'
import { checkLineQuantities, itemCount, refusedLines } from './lineQuantities.ts'
import { closeWhenSettled } from './orderLifecycle.ts'

interface FulfillmentRequest {
  readonly fulfillmentOrderId: string
  readonly lines: readonly LineQuantity[]
  readonly carrier: string | null
  readonly trackingNumber: string | null
}

const failed = (userErrors: readonly OrderUserErrorModel[]): FulfillmentPayloadModel => ({ fulfillmentId: null, userErrors })

/** Staff record a shipment of some of a fulfillment order's units (never more than it still holds). */
export async function fulfillmentCreate(input: FulfillmentCreateInput, ctx: Context): Promise<FulfillmentPayloadModel> {
  requireStaff(ctx.viewer)
  const { idempotencyKey, fulfillmentOrderId, lines } = input
  const request: FulfillmentRequest = { fulfillmentOrderId, lines, carrier: input.carrier ?? null, trackingNumber: input.trackingNumber ?? null }
  const payload = await kit.runMutation(ctx, { operation: 'fulfillmentCreate', idempotencyKey, input: request, failed }, (tx) =>
    createFulfillment(tx, request),
  )
  // the payload's fulfillment order and order may have been loaded earlier in this request
  ctx.loaders.fulfillmentOrderById.clearAll()
  ctx.loaders.orderById.clearAll()
  return payload
}

async function createFulfillment(tx: Queryable, request: FulfillmentRequest): Promise<FulfillmentPayloadModel> {
  const [known] = await fulfillmentOrdersBy(tx, 'id', [request.fulfillmentOrderId])
  if (!known) return failed([kit.userError('NOT_FOUND', ['input', 'fulfillmentOrderId'], 'Fulfillment order not found')])
  // the order's lock queues this behind a cancellation or another fulfillment of the same order
  const order = present(await lockOrder(tx, known.orderId), `order of ${known.id}`)
  const fulfillmentOrder = present((await fulfillmentOrdersBy(tx, 'id', [known.id]))[0] ?? null, `fulfillment order ${known.id}`)

  const errors: OrderUserErrorModel[] = []
  if (order.status === 'CANCELLED' || fulfillmentOrder.status === 'CANCELLED') {
    errors.push(kit.userError('INVALID', ['input', 'fulfillmentOrderId'], `Order ${order.number} is cancelled: nothing ships`))
  } else if (fulfillmentOrder.status === 'ON_HOLD') {
    errors.push(kit.userError('INVALID', ['input', 'fulfillmentOrderId'], 'This fulfillment order is on hold'))
  }
  const positions = (await linePositionsByOrderId(tx, order.id)).filter((p) => p.fulfillmentOrderId === fulfillmentOrder.id)
  errors.push(
    ...checkLineQuantities(request.lines, positions, {
      missing: 'This line item is not on the fulfillment order',
      left: (p) => p.quantity - p.fulfilledQuantity,
      exceeds: (p, left) => `Only ${left} of ${p.sku} are left to fulfill`,
    }),
  )
  if (errors.length > 0) return failed(errors)

  // checked above under the order's lock; the conditional update is the last word all the same
  const refused = refusedLines(request.lines, await addFulfilledQuantities(tx, fulfillmentOrder.id, request.lines), 'More than is left to fulfill')
  if (refused.length > 0) return failed(refused)

  const fulfillmentId = `ful_${randomUUID()}`
  const { carrier, trackingNumber, lines } = request
  await insertFulfillments(tx, [{ id: fulfillmentId, fulfillmentOrderId: fulfillmentOrder.id, createdAt: null, carrier, trackingNumber, lines }])
  await refreshFulfillmentOrderStatus(tx, fulfillmentOrder.id)
  await refreshFulfillmentStatus(tx, order.id)
  const tracking = request.carrier || request.trackingNumber ? ` (${[request.carrier, request.trackingNumber].filter(Boolean).join(' ')})` : ''
  await appendTimeline(tx, order.id, [
    { type: 'FULFILLMENT_CREATED', message: `${itemCount(request.lines)} shipped from ${fulfillmentOrder.assignedLocationId}${tracking}` },
  ])
  const skuOf = new Map(positions.map((p) => [p.lineItemId, p.sku]))
  await kit.publish(tx, {
    type: 'FulfillmentCreated',
    aggregateId: order.id,
    payload: {
      orderId: order.id,
      fulfillmentId,
      fulfillmentOrderId: fulfillmentOrder.id,
      locationId: fulfillmentOrder.assignedLocationId,
      lines: request.lines.map((line) => ({ lineItemId: line.lineItemId, sku: skuOf.get(line.lineItemId) ?? '', quantity: line.quantity })),
    },
  })
  await closeWhenSettled(tx, order.id)
  return { fulfillmentId, userErrors: [] }
}
