import { randomUUID } from 'node:crypto'
import type { Queryable } from '../../../platform/db.ts'
import { isEnabledCurrency } from '../../../platform/money.ts'
import { requireSubject } from '../../../platform/viewer.ts'
import type { CartLinesAddInput } from '../generated/resolvers.ts'
import { kit } from '../kit.ts'
import type { CartPayloadModel, OrderUserErrorModel } from '../models.ts'
import { addCartLines, insertCart, lockCart, updateCartCountry } from '../store/cartStore.ts'
import { catalogPricesBySkus } from '../store/catalogPriceStore.ts'
import { taxRatesByCountries } from '../store/taxRateStore.ts'
import type { Context } from '../subgraph.ts'

export const MAX_LINE_QUANTITY = 999
/** A cart nobody touches is abandoned after this long; checkout refuses an expired cart. */
export const CART_LIFETIME_DAYS = 30
/** Where a new cart is taxed when the shopper has not said (the currency's home market). */
const DEFAULT_COUNTRY: Readonly<Record<string, string>> = { USD: 'US', EUR: 'DE' }

/** The input as it is hashed for idempotency: without the key, absent and null alike. */
interface CartLinesAddRequest {
  readonly cartId: string | null
  readonly currency: string
  readonly countryCode: string | null
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[]
}

const failed = (userErrors: readonly OrderUserErrorModel[]): CartPayloadModel => ({ cartId: null, userErrors })

/**
 * Adds lines to the viewer's cart, creating the cart when no cartId is given. Prices come from
 * orders' copy of the catalog's prices; stock is not reserved here (checkout reserves it).
 */
export async function cartLinesAdd(input: CartLinesAddInput, ctx: Context): Promise<CartPayloadModel> {
  const customerId = requireSubject(ctx.viewer)
  const request: CartLinesAddRequest = {
    cartId: input.cartId ?? null,
    currency: input.currency,
    countryCode: input.countryCode ?? null,
    lines: input.lines.map(({ sku, quantity }) => ({ sku, quantity })),
  }
  const payload = await kit.runMutation(ctx, { operation: 'cartLinesAdd', idempotencyKey: input.idempotencyKey, input: request, failed }, (tx) =>
    addLines(tx, customerId, request),
  )
  if (payload.cartId) {
    // an earlier field of this request may have loaded the cart before these lines were added
    ctx.loaders.cartById.clear(payload.cartId)
    ctx.loaders.cartLinesByCartId.clear(payload.cartId)
  }
  return payload
}

async function addLines(tx: Queryable, customerId: string, request: CartLinesAddRequest): Promise<CartPayloadModel> {
  const errors: OrderUserErrorModel[] = []
  const currencyEnabled = isEnabledCurrency(request.currency)
  if (!currencyEnabled) errors.push(kit.userError('INVALID', ['input', 'currency'], `Currency ${request.currency} is not enabled`))
  if (request.lines.length === 0) errors.push(kit.userError('INVALID', ['input', 'lines'], 'Add at least one line'))
  request.lines.forEach((line, i) => {
    if (!Number.isInteger(line.quantity) || line.quantity <= 0 || line.quantity > MAX_LINE_QUANTITY) {
      errors.push(kit.userError('INVALID', ['input', 'lines', i, 'quantity'], `Quantity must be from 1 to ${MAX_LINE_QUANTITY}`))
    }
  })

  // the cart stays locked until commit: concurrent additions to it queue instead of racing
  const cart = request.cartId === null ? null : await lockCart(tx, request.cartId)
  if (request.cartId !== null) {
    if (cart === null || cart.customerId !== customerId) {
      // someone else's cart is reported exactly like a missing one
      return failed([...errors, kit.userError('NOT_FOUND', ['input', 'cartId'], 'Cart not found')])
    }
    if (cart.checkedOutAt !== null) return failed([...errors, kit.userError('INVALID', ['input', 'cartId'], 'This cart has been checked out')])
    if (cart.expired) errors.push(kit.userError('CART_EXPIRED', ['input', 'cartId'], 'This cart has expired'))
    if (currencyEnabled && cart.currency !== request.currency) {
      errors.push(kit.userError('INVALID', ['input', 'currency'], `The cart is in ${cart.currency}, not ${request.currency}`))
    }
  }

  const countryCode = request.countryCode ?? (cart ? null : (DEFAULT_COUNTRY[request.currency] ?? null))
  if (countryCode !== null) {
    const [taxRate] = await taxRatesByCountries(tx, [countryCode])
    if (!taxRate) errors.push(kit.userError('INVALID', ['input', 'countryCode'], `Country ${countryCode} is not one we sell to`))
  }

  // a sku listed twice is one addition of the sum (one row may be upserted once per statement)
  const quantities = new Map<string, number>()
  const lastIndex = new Map<string, number>()
  request.lines.forEach((line, i) => {
    quantities.set(line.sku, (quantities.get(line.sku) ?? 0) + line.quantity)
    lastIndex.set(line.sku, i)
  })
  const quantityField = (sku: string) => ['input', 'lines', lastIndex.get(sku) ?? 0, 'quantity']
  const tooMany = (sku: string) => kit.userError('INVALID', quantityField(sku), `A cart line holds at most ${MAX_LINE_QUANTITY} of ${sku}`)
  if (errors.length === 0) {
    for (const [sku, quantity] of quantities) if (quantity > MAX_LINE_QUANTITY) errors.push(tooMany(sku))
  }

  const prices = await catalogPricesBySkus(tx, [...new Set(request.lines.map((line) => line.sku))])
  request.lines.forEach((line, i) => {
    const forSku = prices.filter((price) => price.sku === line.sku)
    const field = ['input', 'lines', i, 'sku']
    if (forSku.length === 0) errors.push(kit.userError('NOT_FOUND', field, `No product variant has the sku ${line.sku}`))
    else if (currencyEnabled && !forSku.some((price) => price.currency === request.currency)) {
      errors.push(kit.userError('NOT_FOUND', field, `${line.sku} has no price in ${request.currency}`))
    }
  })
  if (errors.length > 0) return failed(errors)

  const cartId = cart?.id ?? `cart_${randomUUID()}`
  if (cart === null) {
    if (countryCode === null) {
      return failed([kit.userError('INVALID', ['input', 'countryCode'], `Pass countryCode: ${request.currency} has no default country`)])
    }
    await insertCart(tx, { id: cartId, customerId, currency: request.currency, countryCode, lifetimeDays: CART_LIFETIME_DAYS })
  } else if (countryCode !== null && countryCode !== cart.countryCode) {
    // the shopper's country decides tax: a later address moves the cart to that country's rate
    await updateCartCountry(tx, cart.id, countryCode)
  }

  const additions = [...quantities].map(([sku, quantity]) => ({ id: `cl_${randomUUID()}`, sku, quantity }))
  const added = new Set(await addCartLines(tx, cartId, additions, MAX_LINE_QUANTITY))
  const overflowing = additions.filter((addition) => !added.has(addition.sku))
  // nothing is kept: runMutation rolls the transaction back on userErrors
  if (overflowing.length > 0) return failed(overflowing.map(({ sku }) => tooMany(sku)))
  return { cartId, userErrors: [] }
}
