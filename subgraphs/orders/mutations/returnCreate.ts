import { randomUUID } from 'node:crypto'
import type { Queryable } from '../../../platform/db.ts'
import { requireSubject, visibleTo, type Viewer } from '../../../platform/viewer.ts'
import type { ReturnCreateInput } from '../generated/resolvers.ts'
import { kit } from '../kit.ts'
import type { OrderUserErrorModel, ReturnPayloadModel } from '../models.ts'
import { addReturnedQuantities, linePositionsByOrderId, type LineQuantity } from '../store/fulfillmentOrderStore.ts'
import { lockOrder, refreshFulfillmentStatus } from '../store/orderStore.ts'
import { insertReturn } from '../store/returnStore.ts'
import { appendTimeline } from '../store/timelineStore.ts'
import type { Context } from '../subgraph.ts'
import { checkLineQuantities, itemCount, refusedLines } from './lineQuantities.ts'

interface ReturnRequest {
  readonly orderId: string
  readonly lines: readonly LineQuantity[]
  readonly reason: string | null
  readonly restock: boolean
}

const failed = (userErrors: readonly OrderUserErrorModel[]): ReturnPayloadModel => ({ returnId: null, userErrors })

/** The order's customer (or staff) sends back shipped units; finance refunds, inventory restocks. */
export async function returnCreate(input: ReturnCreateInput, ctx: Context): Promise<ReturnPayloadModel> {
  requireSubject(ctx.viewer)
  const { idempotencyKey, orderId, lines, restock } = input
  const request: ReturnRequest = { orderId, lines, reason: input.reason ?? null, restock }
  const payload = await kit.runMutation(ctx, { operation: 'returnCreate', idempotencyKey, input: request, failed }, (tx) =>
    createReturn(tx, ctx.viewer, request),
  )
  ctx.loaders.orderById.clear(request.orderId)
  ctx.loaders.returnsByOrderId.clear(request.orderId)
  return payload
}

async function createReturn(tx: Queryable, viewer: Viewer, request: ReturnRequest): Promise<ReturnPayloadModel> {
  // locked: returns of one order queue, and the order's status is current while they are checked
  const order = visibleTo(viewer, await lockOrder(tx, request.orderId))
  if (!order) return failed([kit.userError('NOT_FOUND', ['input', 'orderId'], 'Order not found')])

  const positions = await linePositionsByOrderId(tx, order.id)
  const errors = checkLineQuantities(request.lines, positions, {
    missing: 'This line item is not on the order',
    left: (p) => p.fulfilledQuantity - p.returnedQuantity,
    exceeds: (p, left) => `Only ${left} of ${p.sku} can be returned (shipped and not returned yet)`,
  })
  if (errors.length > 0) return failed(errors)

  const refused = refusedLines(request.lines, await addReturnedQuantities(tx, request.lines), 'More than can be returned')
  if (refused.length > 0) return failed(refused)

  const returnId = `ret_${randomUUID()}`
  await insertReturn(tx, {
    id: returnId,
    orderId: order.id,
    status: 'OPEN',
    lines: request.lines.map((line) => ({ ...line, reason: request.reason, restock: request.restock })),
  })
  await refreshFulfillmentStatus(tx, order.id)
  await appendTimeline(tx, order.id, [
    { type: 'RETURN_CREATED', message: `Return of ${itemCount(request.lines)} opened${request.reason ? `: ${request.reason}` : ''}` },
  ])
  const positionOf = new Map(positions.map((p) => [p.lineItemId, p]))
  await kit.publish(tx, {
    type: 'ReturnCreated',
    aggregateId: order.id,
    payload: {
      orderId: order.id,
      returnId,
      restock: request.restock,
      lines: request.lines.map((line) => ({
        lineItemId: line.lineItemId,
        sku: positionOf.get(line.lineItemId)?.sku ?? '',
        quantity: line.quantity,
        // units come back to where they shipped from
        locationId: positionOf.get(line.lineItemId)?.locationId ?? '',
      })),
    },
  })
  return { returnId, userErrors: [] }
}
