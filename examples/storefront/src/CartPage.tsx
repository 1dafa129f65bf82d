import { useState } from 'preact/hooks'
import { CartViewDocument, CheckoutCompleteDocument, OrderOutcomeDocument } from '../../../operations/storefront/generated/graphql.ts'
import { messageOf, useClient, useQuery } from './hooks.ts'
import { formatMoney, type Currency } from './money.ts'
import { carts, type Session } from './session.ts'

/** The demo payment provider's tokens (finance's simulated provider). */
const PAYMENT_TOKENS = [
  { token: 'tok_ok', label: 'Test card that is authorized (tok_ok)' },
  { token: 'tok_declined', label: 'Test card that is declined (tok_declined)' },
] as const

/** The cart, checkout with a payment token, and the outcome of the order it placed. */
export function CartPage({ currency, session }: { readonly currency: Currency; readonly session: Session }) {
  const client = useClient()
  const [cartId, setCartId] = useState(() => carts.get(session, currency))
  const cart = useQuery(CartViewDocument, { id: cartId ?? '' }, { skip: cartId === null })
  const [paymentToken, setPaymentToken] = useState<string>('tok_ok')
  // one key per checkout attempt, kept until it is answered, so a retry after a lost answer replays it
  const [attemptKey, setAttemptKey] = useState(() => crypto.randomUUID())
  const [placing, setPlacing] = useState(false)
  const [refusal, setRefusal] = useState<string | null>(null)
  const [placedOrderId, setPlacedOrderId] = useState<string | null>(null)

  const view = cart.data?.cart
  const checkout = async () => {
    if (!view || !cartId) return
    setPlacing(true)
    setRefusal(null)
    try {
      const { data } = await client.mutate({
        mutation: CheckoutCompleteDocument,
        variables: { input: { idempotencyKey: attemptKey, cartId, paymentMethodToken: paymentToken, expectedTotal: { minorUnits: view.total.minorUnits, currency: view.total.currency } } },
      })
      const payload = data?.checkoutComplete
      setAttemptKey(crypto.randomUUID())
      if (payload?.order) {
        carts.clear(session, currency)
        setCartId(null)
        setPlacedOrderId(payload.order.id)
      } else {
        setRefusal(payload?.userErrors.map((e) => e.message).join('; ') ?? 'Checkout did not answer.')
      }
    } catch (error) {
      // keep the key: the order may have been placed, and the same key replays it
      setRefusal(`${messageOf(error)} — try again.`)
    } finally {
      setPlacing(false)
    }
  }

  return (
    <section class="cart">
      <h1>Your cart</h1>
      {placedOrderId && <OrderOutcome id={placedOrderId} />}
      {cartId === null || (view === null && !cart.loading) ? (
        <p>{placedOrderId ? 'Your cart is empty again.' : 'Your cart is empty.'} <a href="#/">Keep shopping</a></p>
      ) : cart.error ? (
        <p role="alert">{cart.error}</p>
      ) : !view ? (
        <p>Loading…</p>
      ) : (
        <>
          <table>
            <thead>
              <tr><th>Item</th><th>Quantity</th><th>Unit price</th><th>Total</th></tr>
            </thead>
            <tbody>
              {view.lines.map((line) => (
                <tr key={line.id} data-line={line.variant.sku}>
                  <td><a href={`#/product/${line.variant.product.handle}`}>{line.variant.product.title}</a> · {line.variant.title}</td>
                  <td>{line.quantity}</td>
                  <td>{formatMoney(line.unitPrice)}</td>
                  <td>{formatMoney(line.total)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr><td colSpan={3}>Subtotal</td><td>{formatMoney(view.subtotal)}</td></tr>
              <tr><td colSpan={3}>Tax</td><td>{formatMoney(view.taxTotal)}</td></tr>
              <tr class="total"><td colSpan={3}>Total</td><td data-total>{formatMoney(view.total)}</td></tr>
            </tfoot>
          </table>
          <fieldset class="payment">
            <legend>Payment</legend>
            {PAYMENT_TOKENS.map((option) => (
              <label key={option.token}>
                <input type="radio" name="payment" value={option.token} checked={paymentToken === option.token} onChange={() => setPaymentToken(option.token)} />
                {option.label}
              </label>
            ))}
          </fieldset>
          <button type="button" class="primary" disabled={placing || view.lines.length === 0} onClick={() => void checkout()}>
            {placing ? 'Placing your order…' : `Place order · ${formatMoney(view.total)}`}
          </button>
          {refusal && <p role="alert">{refusal}</p>}
        </>
      )}
    </section>
  )
}

/** What became of a placed order: the payment is authorized (or declined) a moment after checkout. */
function OrderOutcome({ id }: { readonly id: string }) {
  const outcome = useQuery(OrderOutcomeDocument, { id }, { pollInterval: 1000 })
  const order = outcome.data?.order
  if (!order) return <p role="status">Placing your order…</p>
  if (order.status === 'CANCELLED') {
    return (
      // cancelled at checkout: the payment was declined, or the stock could not be allocated
      <p role="alert" class="outcome cancelled" data-order={order.number}>
        Order {order.number} was cancelled: {order.cancelReason ?? 'no reason given'}. Nothing was charged.
      </p>
    )
  }
  if (order.financialStatus === 'PENDING' || order.financialStatus === null) return <p role="status" class="outcome" data-order={order.number}>Order {order.number} placed; waiting for the payment…</p>
  return (
    <p role="status" class="outcome confirmed" data-order={order.number}>
      Thank you! Order {order.number} is confirmed: {formatMoney(order.total)}, payment {order.financialStatus.toLowerCase().replace(/_/g, ' ')}. <a href="#/orders">My orders</a>
    </p>
  )
}
