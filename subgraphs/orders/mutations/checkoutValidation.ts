import type { Queryable } from '../../../platform/db.ts'
import { taxAmountOf } from '../../../platform/money.ts'
import { formatMoney } from '../formatMoney.ts'
import { kit } from '../kit.ts'
import type { OrderUserErrorModel } from '../models.ts'
import { cartLineQuantities, cartLinesByCartIds, cartsByIds } from '../store/cartStore.ts'
import { catalogPricesBySkus } from '../store/catalogPriceStore.ts'
import type { NewLineItem } from '../store/lineItemStore.ts'
import { taxRatesByCountries } from '../store/taxRateStore.ts'
import { cartTotals, lineTotalOf } from './cartTotals.ts'

/** The provider refuses anything else outright; well-formed tokens are authorized later, by finance. */
const PAYMENT_METHOD_TOKEN = /^tok_[A-Za-z0-9_]{1,64}$/

/** checkoutComplete's input as it is hashed for idempotency (without the key). */
export interface CheckoutRequest {
  readonly cartId: string
  readonly paymentMethodToken: string
  readonly expectedTotal: { readonly minorUnits: string; readonly currency: string }
}

/** A line item as checkout prices it, before it belongs to an order. */
export type CheckoutLine = Omit<NewLineItem, 'id' | 'orderId' | 'position' | 'reservationId'>

/** What the shopper agreed to pay for, priced when checkout validated it. */
export interface CheckoutSnapshot {
  readonly cartId: string
  readonly customerId: string
  readonly currency: string
  readonly countryCode: string
  readonly pricesIncludeTax: boolean
  readonly lines: readonly CheckoutLine[]
  readonly subtotal: bigint
  readonly taxTotal: bigint
  readonly total: bigint
}

export type CheckoutValidation =
  | { readonly kind: 'valid'; readonly snapshot: CheckoutSnapshot }
  | { readonly kind: 'invalid'; readonly userErrors: readonly OrderUserErrorModel[] }

const CART = ['input', 'cartId']
const invalid = (...userErrors: OrderUserErrorModel[]): CheckoutValidation => ({ kind: 'invalid', userErrors })

/**
 * Everything checkout checks before it touches anything (reads only). The cart is priced the way
 * `Cart.total` prices it (same lines, same `cartTotals`), so the total the shopper saw is the
 * total compared here. Cart-level refusals come alone; the rest are reported together.
 */
export async function validateCheckout(db: Queryable, customerId: string, request: CheckoutRequest, now = new Date()): Promise<CheckoutValidation> {
  const [cart] = await cartsByIds(db, [request.cartId])
  // someone else's cart is reported exactly like a missing one
  if (!cart || cart.customerId !== customerId) return invalid(kit.userError('NOT_FOUND', CART, 'Cart not found'))
  if (cart.checkedOutAt !== null) return invalid(kit.userError('INVALID', CART, 'This cart has already been checked out'))
  const added = await cartLineQuantities(db, cart.id)
  if (added.length === 0) return invalid(kit.userError('INVALID', CART, 'The cart is empty'))

  const errors: OrderUserErrorModel[] = []
  if (cart.expiresAt !== null && cart.expiresAt.getTime() <= now.getTime()) errors.push(kit.userError('CART_EXPIRED', CART, 'This cart has expired'))
  const currencyMatches = request.expectedTotal.currency === cart.currency
  if (!currencyMatches) {
    errors.push(kit.userError('INVALID', ['input', 'expectedTotal', 'currency'], `The cart is in ${cart.currency}, not ${request.expectedTotal.currency}`))
  }

  const [lines, [taxRate], prices] = await Promise.all([
    cartLinesByCartIds(db, [cart.id]),
    taxRatesByCountries(db, [cart.countryCode]),
    catalogPricesBySkus(db, added.map((line) => line.sku)),
  ])
  const priced = new Set(lines.map((line) => line.sku))
  const unpriced = added.filter((line) => !priced.has(line.sku))
  for (const { sku } of unpriced) {
    errors.push(kit.userError('INVALID', CART, `${sku} can no longer be bought: it has no price in ${cart.currency}; remove it from the cart`))
  }
  const totals = cartTotals(lines, taxRate ?? null)
  if (unpriced.length === 0 && currencyMatches && BigInt(request.expectedTotal.minorUnits) !== totals.total) {
    errors.push(
      kit.userError(
        'TOTAL_CHANGED',
        ['input', 'expectedTotal', 'minorUnits'],
        `The cart total is now ${formatMoney(totals.total, cart.currency)} (minorUnits ${totals.total}); review the cart and send that total`,
      ),
    )
  }
  if (!PAYMENT_METHOD_TOKEN.test(request.paymentMethodToken)) {
    errors.push(kit.userError('PAYMENT_DECLINED', ['input', 'paymentMethodToken'], 'The payment provider refused this payment method token'))
  }
  if (errors.length > 0) return invalid(...errors)

  const titleOf = (sku: string) => {
    const price = prices.find((p) => p.sku === sku && p.currency === cart.currency)
    return price ? `${price.productTitle} - ${price.variantTitle}` : sku
  }
  return {
    kind: 'valid',
    snapshot: {
      cartId: cart.id,
      customerId,
      currency: cart.currency,
      countryCode: cart.countryCode,
      pricesIncludeTax: lines.every((line) => line.taxIncluded),
      lines: lines.map((line) => {
        const total = lineTotalOf(line)
        return {
          sku: line.sku,
          title: titleOf(line.sku),
          quantity: line.quantity,
          unitPrice: BigInt(line.unitPrice),
          // per line and rounded per line, exactly as cartTotals adds them up
          taxLines: taxRate ? [{ title: taxRate.title, rate: taxRate.rate, amount: taxAmountOf(total, taxRate.rate, line.taxIncluded) }] : [],
          total,
        }
      }),
      subtotal: totals.subtotal,
      taxTotal: totals.taxTotal,
      total: totals.total,
    },
  }
}
