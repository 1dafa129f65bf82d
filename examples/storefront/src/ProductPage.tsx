import { useState } from 'preact/hooks'
import { CartLinesAddDocument, ProductPageDocument } from '../../../operations/storefront/generated/graphql.ts'
import { messageOf, useClient, useQuery } from './hooks.ts'
import { formatMoney, type Currency } from './money.ts'
import { carts, type Session } from './session.ts'
import { badgeOf, useStockBadges } from './stockBadges.ts'

type Selection = Readonly<Record<string, string>>

/** One product: pick a variant by its options, see its price and stock, add it to the cart. */
export function ProductPage({ handle, currency, session }: { readonly handle: string; readonly currency: Currency; readonly session: Session | null }) {
  const client = useClient()
  const page = useQuery(ProductPageDocument, { handle, currency })
  const product = page.data?.product
  const variants = product?.variants.nodes ?? []
  const problem = useStockBadges(variants.map((variant) => variant.sku))
  const [picked, setPicked] = useState<Selection>({})
  const [outcome, setOutcome] = useState<{ readonly ok: boolean; readonly message: string } | null>(null)
  const [adding, setAdding] = useState(false)

  if (page.error) return <p role="alert">{page.error}</p>
  if (!product) return <p>{page.loading ? 'Loading…' : 'No such product.'}</p>

  // the first variant's options, overridden by what the shopper picked
  const selection: Selection = { ...Object.fromEntries((variants[0]?.selectedOptions ?? []).map((o) => [o.name, o.value])), ...picked }
  const variant = variants.find((v) => v.selectedOptions.every((o) => selection[o.name] === o.value)) ?? null
  const badge = variant ? badgeOf(variant.availableToSell) : null

  const add = async () => {
    if (!session || !variant) return
    setAdding(true)
    setOutcome(null)
    try {
      const cartId = carts.get(session, currency)
      const { data } = await client.mutate({
        mutation: CartLinesAddDocument,
        variables: { input: { idempotencyKey: crypto.randomUUID(), currency, ...(cartId ? { cartId } : {}), lines: [{ sku: variant.sku, quantity: 1 }] } },
      })
      const payload = data?.cartLinesAdd
      if (payload?.cart) {
        carts.set(session, currency, payload.cart.id)
        setOutcome({ ok: true, message: `Added ${variant.title} to your cart.` })
      } else if (payload?.userErrors.some((e) => e.code === 'NOT_FOUND') && cartId) {
        // the cart was checked out or expired: start a new one next time
        carts.clear(session, currency)
        setOutcome({ ok: false, message: 'Your previous cart is closed; add the item again to start a new one.' })
      } else {
        setOutcome({ ok: false, message: payload?.userErrors.map((e) => e.message).join('; ') ?? 'The cart did not answer.' })
      }
    } catch (error) {
      setOutcome({ ok: false, message: messageOf(error) })
    } finally {
      setAdding(false)
    }
  }

  return (
    <article class="product">
      <p class="crumbs">{product.categories.map((c) => <a key={c.id} href={`#/category/${c.id}`}>{c.name}</a>)}</p>
      <h1>{product.title}</h1>
      <p class="description">{product.description}</p>
      {product.options.map((option) => (
        <fieldset key={option.name} class="option">
          <legend>{option.name}</legend>
          {option.values.map((value) => (
            <button key={value} type="button" aria-pressed={selection[option.name] === value} onClick={() => setPicked({ ...picked, [option.name]: value })}>
              {value}
            </button>
          ))}
        </fieldset>
      ))}
      {variant ? (
        <div class="buy" data-sku={variant.sku}>
          <p class="price">
            {variant.price ? formatMoney(variant.price.amount) : 'Not sold in this currency'}
            {variant.price?.compareAtAmount && <s>{formatMoney(variant.price.compareAtAmount)}</s>}
          </p>
          {badge && <p class={`badge ${badge.tone}`} data-available={variant.availableToSell ?? undefined}>{badge.label}</p>}
          {problem && <p role="alert">Live stock stopped: {problem}</p>}
          {session ? (
            <button type="button" class="primary" disabled={adding || !variant.availableToSell || !variant.price} onClick={() => void add()}>
              Add to cart
            </button>
          ) : (
            <p><a href="#/sign-in">Sign in</a> to add it to a cart.</p>
          )}
          {outcome && (outcome.ok ? <p role="status">{outcome.message} <a href="#/cart">View cart</a></p> : <p role="alert">{outcome.message}</p>)}
        </div>
      ) : (
        <p>This combination is not made.</p>
      )}
    </article>
  )
}
