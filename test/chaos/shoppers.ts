/**
 * Shoppers and staff through gateway processes: carts filled, checkouts retried with the same
 * idempotency key until they have a definite answer (an order or a refusal), as a careful client
 * does, and stock adjusted. Every attempt's failure is kept for the assertions and the report.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { customer, errorLabels, post, runClients, seconds, STAFF, type Answer } from './clients.ts'

const CART_ADD = `mutation ChaosCart($input: CartLinesAddInput!) {
  cartLinesAdd(input: $input) { cart { id total { minorUnits currency } } userErrors { code field message } }
}`
const CHECKOUT = `mutation ChaosCheckout($input: CheckoutCompleteInput!) {
  checkoutComplete(input: $input) { order { id number } userErrors { code field message } }
}`
const ADJUST = `mutation ChaosAdjust($input: InventoryAdjustInput!) {
  inventoryAdjustQuantities(input: $input) { userErrors { code field message } }
}`

export interface Cart {
  readonly customer: string
  readonly id: string
  readonly total: { readonly minorUnits: string; readonly currency: string }
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[]
}

/** A new cart for `customer` holding `lines` (retried with its key until it has one). */
export async function fillCart(url: string, customerId: string, lines: Cart['lines'], key: string, timeoutMs = 60_000): Promise<Cart> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const answer = await post(url, CART_ADD, { input: { idempotencyKey: key, currency: 'USD', countryCode: 'US', lines } }, customer(customerId))
    const payload = answer.data?.['cartLinesAdd']
    if (payload?.cart && payload.userErrors.length === 0) return { customer: customerId, id: payload.cart.id, total: payload.cart.total, lines }
    if (payload?.userErrors?.length && payload.userErrors[0].code !== 'IDEMPOTENCY_CONCURRENT_REQUEST') {
      throw new Error(`cart for ${customerId} refused: ${JSON.stringify(payload.userErrors)}`)
    }
    if (performance.now() > deadline) throw new Error(`no cart for ${customerId}: ${answer.failure ?? errorLabels(answer).join(', ')}`)
    await sleep(200)
  }
}

/** What one checkout came to, after every attempt its client made. */
export interface CheckoutOutcome {
  readonly cart: Cart
  readonly key: string
  /** The order the client was told of (null when refused or given up). */
  readonly orderId: string | null
  /** userError codes of a definite refusal (INSUFFICIENT_STOCK, ...). */
  readonly refused: readonly string[]
  readonly attempts: number
  /** What each failed attempt showed the client (error codes, or why no answer came). */
  readonly failures: readonly string[]
  /** From the first attempt to the definite answer. */
  readonly ms: number
  /** When the definite answer came (performance.now()). */
  readonly answeredAt: number
  readonly gaveUp: boolean
}

export interface CheckoutOptions {
  /** Which of the gateways the first attempt goes to. */
  readonly start?: number
  /** How long to keep retrying (default 60 s). */
  readonly timeoutMs?: number
  /** Give up at once when this holds (a service died: waiting is pointless). */
  readonly abandon?: () => boolean
}

/** One checkout attempt, as it came back. */
export function checkoutOnce(url: string, cart: Cart, key: string): Promise<Answer> {
  const input = { idempotencyKey: key, cartId: cart.id, paymentMethodToken: 'tok_ok', expectedTotal: cart.total }
  return post(url, CHECKOUT, { input }, customer(cart.customer))
}

/**
 * Checks out `cart` with `key`, sending attempt n to `urls[(start + n) % urls.length]`; an error,
 * no answer or IDEMPOTENCY_CONCURRENT_REQUEST is retried with the same key, until an order or a
 * definite refusal comes back or `timeoutMs` runs out.
 */
export async function checkoutUntilDone(urls: readonly string[], cart: Cart, key: string, options: CheckoutOptions = {}): Promise<CheckoutOutcome> {
  const started = performance.now()
  const deadline = started + (options.timeoutMs ?? 60_000)
  const failures: string[] = []
  for (let attempt = 0; ; attempt++) {
    const url = urls[((options.start ?? 0) + attempt) % urls.length] as string
    const answer = await checkoutOnce(url, cart, key)
    const payload = answer.data?.['checkoutComplete'] as { order: { id: string } | null; userErrors: { code: string }[] } | null | undefined
    const done = (orderId: string | null, refused: string[], gaveUp = false): CheckoutOutcome => ({
      cart, key, orderId, refused, attempts: attempt + 1, failures, ms: performance.now() - started, answeredAt: performance.now(), gaveUp,
    })
    if (payload?.order) return done(payload.order.id, [])
    const codes = payload?.userErrors.map((e) => e.code) ?? []
    if (codes.length > 0 && !codes.includes('IDEMPOTENCY_CONCURRENT_REQUEST')) return done(null, codes)
    failures.push(answer.failure ?? (codes.length > 0 ? codes.join(',') : errorLabels(answer).join(',') || `HTTP ${answer.status}, no payload`))
    if (performance.now() > deadline || options.abandon?.()) return done(null, [], true)
    await sleep(codes.includes('IDEMPOTENCY_CONCURRENT_REQUEST') ? 500 : 200)
  }
}

/** Cart n's lines: one or two of `skus`, 1-2 units each. */
export const mixedLines = (skus: readonly string[]) => (n: number): Cart['lines'] => {
  const first = skus[n % skus.length] as string
  const second = skus[(n * 7 + 3) % skus.length] as string
  return n % 3 === 0 || first === second ? [{ sku: first, quantity: 1 + (n % 2) }] : [{ sku: first, quantity: 1 }, { sku: second, quantity: 1 + (n % 2) }]
}

/** `count` carts of customers `<prefix>_<n>` holding `linesOf(n)`, made four at a time through `urls` in turn. */
export async function prepareCarts(urls: readonly string[], prefix: string, count: number, linesOf: (n: number) => Cart['lines']): Promise<Cart[]> {
  const carts: Cart[] = new Array(count)
  let next = 0
  await runClients(4, async () => {
    const n = next++
    if (n >= count) return false
    carts[n] = await fillCart(urls[n % urls.length] as string, `${prefix}_${n}`, linesOf(n), `${prefix}-cart-${n}`)
    return true
  })
  return carts
}

/**
 * Checks every cart out, `clients` shoppers at a time pausing `thinkMs` between checkouts, each
 * through `checkoutUntilDone` with the key `<customer>-checkout`, starting at gateway n % urls.
 */
export async function checkoutAll(
  urls: readonly string[],
  carts: readonly Cart[],
  options: { clients: number; thinkMs: number; /** Where outcomes are pushed as they come (to watch them live). */ into?: CheckoutOutcome[] } & Omit<CheckoutOptions, 'start'>,
): Promise<CheckoutOutcome[]> {
  const outcomes: CheckoutOutcome[] = options.into ?? []
  let next = 0
  await runClients(options.clients, async () => {
    const n = next++
    const cart = carts[n]
    if (!cart) return false
    outcomes.push(await checkoutUntilDone(urls, cart, `${cart.customer}-checkout`, { ...options, start: n }))
    await sleep(options.thinkMs)
    return true
  })
  return outcomes
}

/** One line on what the shoppers went through: orders, refusals, retried checkouts and what they met. */
export function describeCheckouts(outcomes: readonly CheckoutOutcome[]): string {
  const retried = outcomes.filter((o) => o.attempts > 1)
  const seen = new Map<string, number>()
  for (const failure of outcomes.flatMap((o) => o.failures)) seen.set(failure, (seen.get(failure) ?? 0) + 1)
  const what = [...seen].map(([failure, n]) => `${n}× ${failure}`).join('; ')
  const slowest = Math.max(0, ...outcomes.map((o) => o.ms))
  return `${outcomes.filter((o) => o.orderId).length} orders, ${outcomes.filter((o) => o.refused.length > 0).length} refused, ${retried.length} checkouts retried (at most ${Math.max(1, ...outcomes.map((o) => o.attempts))} attempts, slowest ${seconds(slowest)})${what ? `: ${what}` : ''}`
}

/** Staff change quantities (AVAILABLE += delta, ...) through the gateway; retried with the key until applied. */
export async function adjustStock(url: string, key: string, changes: readonly { sku: string; locationId: string; name?: string; delta: number }[]): Promise<void> {
  const input = { idempotencyKey: key, reason: 'CORRECTION', changes: changes.map((c) => ({ name: 'AVAILABLE', changeFromQuantity: null, ...c })) }
  for (let attempt = 1; ; attempt++) {
    const answer = await post(url, ADJUST, { input }, STAFF)
    const userErrors = answer.data?.['inventoryAdjustQuantities']?.userErrors as { code: string }[] | undefined
    if (userErrors?.length === 0) return
    if (attempt >= 20 || (userErrors?.length && userErrors[0]?.code !== 'IDEMPOTENCY_CONCURRENT_REQUEST')) {
      throw new Error(`adjusting stock failed: ${JSON.stringify(userErrors) ?? answer.failure ?? errorLabels(answer).join(', ')}`)
    }
    await sleep(250)
  }
}
