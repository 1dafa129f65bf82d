import { randomUUID } from 'node:crypto'
import type { Queryable } from '../../platform/db.ts'
import { runIdempotent } from '../../platform/idempotency.ts'
import { requireSubject, viewerScope, visibleTo, type Viewer } from '../../platform/viewer.ts'
import type { Context } from './context.ts'
import { publishOrdersEvent } from './events.ts'
import type { ReturnCreateInput } from './generated/resolvers.ts'
import { checkLineQuantities } from './lineQuantities.ts'
import type { OrderUserErrorModel, ReturnPayloadModel } from './models.ts'
import { addReturnedQuantities, linePositionsByOrderId } from './store/fulfillmentOrderStore.ts'
import { lockOrder, refreshFulfillmentStatus } from './store/orderStore.ts'
import { insertReturn } from './store/returnStore.ts'
import { appendTimeline } from './store/timelineStore.ts'
import { payloadOf, userError } from './userErrors.ts'

interface ReturnRequest {
  readonly orderId: string
  readonly lines: readonly { readonly lineItemId: string; readonly quantity: number }[]
  readonly reason: string | null
  readonly restock: boolean
}

const failed = (userErrors: readonly OrderUserErrorModel[]): ReturnPayloadModel => ({ returnId: null, userErrors })

/** The order's customer (or staff) sends back shipped units; finance refunds, inventory restocks. */
export async function returnCreate(input: ReturnCreateInput, { viewer, db, loaders }: Context): Promise<ReturnPayloadModel> {
  requireSubject(viewer)
  const request: ReturnRequest = {
    orderId: input.orderId,
    lines: input.lines.map(({ lineItemId, quantity }) => ({ lineItemId, quantity })),
    reason: input.reason ?? null,
    restock: input.restock,
  }
  const outcome = await runIdempotent<ReturnPayloadModel>(
    db,
    { schema: 'orders', scope: viewerScope(viewer), key: input.idempotencyKey, operation: 'returnCreate', input: request },
    async (tx) => {
      const result = await createReturn(tx, viewer, request)
      return { result, store: result.userErrors.length === 0 }
    },
  )
  loaders.orderById.clear(request.orderId)
  loaders.returnsByOrderId.clear(request.orderId)
  return payloadOf(outcome, failed)
}

async function createReturn(tx: Queryable, viewer: Viewer, request: ReturnRequest): Promise<ReturnPayloadModel> {
  // locked: returns of one order queue, and the order's status is current while they are checked
  const order = visibleTo(viewer, await lockOrder(tx, request.orderId))
  if (!order) return failed([userError('NOT_FOUND', ['input', 'orderId'], 'Order not found')])

  const positions = await linePositionsByOrderId(tx, order.id)
  const errors = checkLineQuantities(request.lines, positions, {
    missing: 'This line item is not on the order',
    left: (p) => p.fulfilledQuantity - p.returnedQuantity,
    exceeds: (p, left) => `Only ${left} of ${p.sku} can be returned (shipped and not returned yet)`,
  })
  if (errors.length > 0) return failed(errors)

  const counted = new Set(await addReturnedQuantities(tx, request.lines))
  const refused = request.lines.flatMap((line, i) =>
    counted.has(line.lineItemId) ? [] : [userError('QUANTITY_EXCEEDS_FULFILLABLE', ['input', 'lines', i, 'quantity'], 'More than can be returned')],
  )
  if (refused.length > 0) return failed(refused)

  const returnId = `ret_${randomUUID()}`
  await insertReturn(tx, {
    id: returnId,
    orderId: order.id,
    status: 'OPEN',
    lines: request.lines.map((line) => ({ ...line, reason: request.reason, restock: request.restock })),
  })
  await refreshFulfillmentStatus(tx, order.id)
  const units = request.lines.reduce((sum, line) => sum + line.quantity, 0)
  await appendTimeline(tx, order.id, [
    { type: 'RETURN_CREATED', message: `Return of ${units} item${units === 1 ? '' : 's'} opened${request.reason ? `: ${request.reason}` : ''}` },
  ])
  const positionOf = new Map(positions.map((p) => [p.lineItemId, p]))
  await publishOrdersEvent(tx, {
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
