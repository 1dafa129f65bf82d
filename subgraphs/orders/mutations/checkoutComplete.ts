import { createHash } from 'node:crypto'
import { idempotencyConflict } from '../../../platform/idempotency.ts'
import { requireSubject } from '../../../platform/viewer.ts'
import type { CheckoutCompleteInput } from '../generated/resolvers.ts'
import type { InventoryClient, InventoryReservation, InventoryUserError } from '../inventoryClient.ts'
import { kit } from '../kit.ts'
import type { CheckoutCompletePayloadModel, OrderUserErrorModel } from '../models.ts'
import type { Context } from '../subgraph.ts'
import { validateCheckout, type CheckoutRequest, type CheckoutSnapshot } from './checkoutValidation.ts'
import { placeOrder } from './placeOrder.ts'

/** What checkout did outside its transaction: refused before reserving, or holds the stock. */
type Prepared =
  | { readonly kind: 'refused'; readonly userErrors: readonly OrderUserErrorModel[] }
  | { readonly kind: 'reserved'; readonly snapshot: CheckoutSnapshot; readonly reservations: readonly InventoryReservation[] }

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
const failed = (userErrors: readonly OrderUserErrorModel[]): CheckoutCompletePayloadModel => ({ orderId: null, userErrors })

/** Bounds the walk over spent reservation keys (see reserveCart): each step needs a compensated attempt. */
const MAX_RESERVE_ATTEMPTS = 4

/**
 * Turns the viewer's cart into an order. Stock is reserved in inventory first (a call, outside
 * any transaction), then the order and `OrderPlaced` are written in one transaction; if that
 * fails, the reservations are released. Payment is authorized later by finance, on OrderPlaced.
 */
export async function checkoutComplete(input: CheckoutCompleteInput, ctx: Context): Promise<CheckoutCompletePayloadModel> {
  const { db, inventory, loaders } = ctx
  const customerId = requireSubject(ctx.viewer)
  const request: CheckoutRequest = {
    cartId: input.cartId,
    paymentMethodToken: input.paymentMethodToken,
    expectedTotal: { minorUnits: input.expectedTotal.minorUnits, currency: input.expectedTotal.currency },
  }
  const payload = await kit.runMutationSteps<CheckoutCompletePayloadModel, Prepared>(
    ctx,
    { operation: 'checkoutComplete', idempotencyKey: input.idempotencyKey, input: request, failed },
    {
      outside: async () => {
        const validation = await validateCheckout(db, customerId, request)
        if (validation.kind === 'invalid') return { kind: 'refused', userErrors: validation.userErrors }
        // a retried checkout (same viewer and key) finds the reservation its first attempt made
        const key = `checkout:${sha256(`${customerId}:${input.idempotencyKey}`)}`
        return reserveCart(inventory, key, validation.snapshot)
      },
      inside: async (tx, prepared) => {
        if (prepared.kind === 'refused') return failed(prepared.userErrors)
        return placeOrder(tx, prepared.snapshot, prepared.reservations, request.paymentMethodToken)
      },
      compensate: async (prepared) => {
        if (prepared.kind !== 'reserved') return
        await Promise.all(prepared.reservations.map((r) => inventory.release(r.id, `release:${r.id}`)))
      },
    },
  )
  if (payload.orderId) loaders.cartById.clear(request.cartId)
  return payload
}

/**
 * Reserves every line of the cart at once. Inventory replays a key's first result, so a key whose
 * reservations were released (a compensated attempt) or expired would hand back spent stock, and
 * a key first used for other cart contents is refused as reused: each such key leads to the next
 * one, derived from what it returned, so retries still converge on one live reservation.
 */
async function reserveCart(inventory: InventoryClient, baseKey: string, snapshot: CheckoutSnapshot): Promise<Prepared> {
  const lines = snapshot.lines.map(({ sku, quantity }) => ({ sku, quantity }))
  let key = baseKey
  for (let attempt = 1; attempt <= MAX_RESERVE_ATTEMPTS; attempt++) {
    const outcome = await inventory.reserve({ idempotencyKey: key, referenceDocumentUri: `gid://orders/Cart/${snapshot.cartId}`, lines })
    if (outcome.kind === 'reserved') {
      if (outcome.reservations.every((r) => r.status === 'ACTIVE')) return { kind: 'reserved', snapshot, reservations: outcome.reservations }
      // a compensation that released only some of them (a release cut off): the rest still hold
      // stock that the next key's reservations would hold a second time
      await Promise.all(outcome.reservations.filter((r) => r.status === 'ACTIVE').map((r) => inventory.release(r.id, `release:${r.id}`)))
      key = `${baseKey}:${sha256(outcome.reservations.map((r) => r.id).join(','))}`
    } else if (outcome.userErrors.some((e) => e.code === 'IDEMPOTENCY_KEY_REUSED')) {
      key = `${baseKey}:${sha256(JSON.stringify(lines))}:${attempt}`
    } else {
      return { kind: 'refused', userErrors: outcome.userErrors.map((e) => checkoutErrorOf(e, lines)) }
    }
  }
  throw new Error(`inventory kept replaying spent reservations for ${baseKey}`)
}

/** Inventory's refusal in the shopper's terms: lines are the cart's, the cart is the field. */
function checkoutErrorOf(error: InventoryUserError, lines: readonly { sku: string; quantity: number }[]): OrderUserErrorModel {
  const index = error.field?.[0] === 'input' && error.field[1] === 'lines' ? Number(error.field[2]) : NaN
  const line = lines[index]
  switch (error.code) {
    case 'INSUFFICIENT_AVAILABLE':
      return kit.userError('INSUFFICIENT_STOCK', ['input', 'cartId'], line ? `Not enough ${line.sku} in stock for the ${line.quantity} in the cart` : error.message)
    case 'UNKNOWN_SKU':
      return kit.userError('INSUFFICIENT_STOCK', ['input', 'cartId'], line ? `${line.sku} is not stocked anywhere` : error.message)
    case 'IDEMPOTENCY_CONCURRENT_REQUEST':
      return idempotencyConflict('inFlight')
    default:
      return kit.userError('INVALID', ['input', 'cartId'], error.message)
  }
}
