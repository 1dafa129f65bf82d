import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { signToken } from '../../gateway/auth.ts'
import { buildWorld } from '../../seed/world.ts'
import { asStaff, type Stack } from '../stack.ts'
import { defaults, startSecurityStack } from './securityStack.ts'

const world = buildWorld()
const PRODUCT_PAGE = `query ($handle: String!) { product(handle: $handle) { id title variants(first: 10) { nodes { sku price(currency: USD) { amount { minorUnits } } availableToSell } } } }`
const LISTING = `{ products(first: 24) { nodes { id handle title priceRange(currency: USD) { min { minorUnits } } } } }`
const STOCK_BY_ID = `query ($id: ID!) { product(id: $id) { title variants(first: 10) { nodes { sku availableToSell } } } }`
const CART_ADD = `mutation ($input: CartLinesAddInput!) { cartLinesAdd(input: $input) { cart { id total { minorUnits currency } } userErrors { code } } }`
const CHECKOUT = `mutation ($input: CheckoutCompleteInput!) { checkoutComplete(input: $input) { order { id } userErrors { code message } } }`

/**
 * The traffic runs on a virtual clock that the gateway's rate limits and anomaly windows read: each
 * request is sent at its scheduled instant, one at a time in time order, so the outcome depends on
 * the schedule alone and not on how fast this machine answers.
 */
function virtualClock() {
  let at = Date.now()
  return { now: () => at, advanceTo: (instant: number) => void (at = Math.max(at, instant)) }
}

/** A time-ordered queue of steps; a step may schedule more (the next request of the same client). */
function schedule() {
  const steps: { at: number; seq: number; run: () => Promise<void> }[] = []
  let seq = 0
  return {
    at: (instant: number, run: () => Promise<void>) => void steps.push({ at: instant, seq: seq++, run }),
    async drain(clock: ReturnType<typeof virtualClock>) {
      while (steps.length > 0) {
        steps.sort((a, b) => a.at - b.at || a.seq - b.seq)
        const step = steps.shift()!
        clock.advanceTo(step.at)
        await step.run()
      }
    },
  }
}

describe('adaptive limits: a stock scraper among shoppers (attack suite)', () => {
  let stack: Stack
  const clock = virtualClock()
  before(async () => {
    // clients are told apart by X-Forwarded-For, as behind the load balancer; buckets in memory on the virtual clock
    stack = await startSecurityStack({ gatewayConfig: { trustedProxies: ['127.0.0.1'], redisUrl: null }, clock: clock.now })
  })
  after(() => stack.close())

  async function send(document: string, variables: Record<string, unknown>, headers: Record<string, string>) {
    const response = await stack.gateway.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', ...headers }, payload: { query: document, variables } })
    return { status: response.statusCode, body: response.json() as { data?: any; errors?: { extensions?: { code?: string } }[] } }
  }

  it('throttles the scraper walking every product\'s stock, and never a shopper browsing and checking out', async () => {
    const customers = world.customers.slice(0, 8)
    const shopperStatuses: number[] = []
    const shopperErrors: string[] = []
    let scraperRequests = 0
    let scraperThrottledAt: number | null = null
    let scraping = true
    const started = clock.now()
    const plan = schedule()

    // every product in id order, 25 a second; it stops 20 requests after its first refusal
    const scrape = (i: number) => async () => {
      const product = world.products[i]!
      const { status } = await send(STOCK_BY_ID, { id: product.id }, { 'x-forwarded-for': '198.51.100.66' })
      scraperRequests++
      if (status === 429 && scraperThrottledAt === null) scraperThrottledAt = scraperRequests
      const done = i + 1 >= world.products.length || (scraperThrottledAt !== null && scraperRequests >= scraperThrottledAt + 20)
      if (done) scraping = false
      else plan.at(clock.now() + 40, scrape(i + 1))
    }
    plan.at(started, scrape(0))

    // each shopper lists, reads three product pages, adds to a cart and checks out; shoppers come
    // back in rounds for as long as the scraper runs
    const tokens = await Promise.all(customers.map((customer) => signToken({ sub: customer.id, roles: ['customer'] }, stack.config)))
    const record = ({ status, body }: Awaited<ReturnType<typeof send>>) => {
      shopperStatuses.push(status)
      for (const error of body.errors ?? []) shopperErrors.push(error.extensions?.code ?? 'none')
      return body
    }
    const round = (n: number, at: number) => {
      let roundEnd = at
      customers.forEach((customer, index) => {
        const headers = { authorization: `Bearer ${tokens[index]}`, 'x-forwarded-for': `203.0.113.${index + 1}` }
        let t = at
        plan.at(t, async () => void record(await send(LISTING, {}, headers)))
        for (let page = 0; page < 3; page++) {
          t += 600 + ((index * 137 + page * 53) % 700)
          const handle = world.products[(index * 17 + page * 29 + n * 7) % world.products.length]!.handle
          plan.at(t, async () => void record(await send(PRODUCT_PAGE, { handle }, headers)))
        }
        const product = world.products[(index * 31 + n * 11) % world.products.length]!
        const sku = world.variants.find((v) => v.productId === product.id)!.sku
        let cart: { id: string; total: unknown } | undefined
        plan.at(t, async () => {
          const added = record(await send(CART_ADD, { input: { idempotencyKey: `scr-${customer.id}-${n}`, currency: 'USD', lines: [{ sku, quantity: 1 }] } }, headers))
          cart = added.data?.cartLinesAdd.cart
          assert.ok(cart, JSON.stringify(added))
        })
        t += 500
        plan.at(t, async () => {
          record(await send(CHECKOUT, { input: { idempotencyKey: `scr-checkout-${customer.id}-${n}`, cartId: cart!.id, paymentMethodToken: 'tok_ok', expectedTotal: cart!.total } }, headers))
        })
        roundEnd = Math.max(roundEnd, t)
      })
      // the next round starts when every shopper of this one is done, if the scraper still runs
      plan.at(roundEnd, async () => {
        if (scraping) round(n + 1, roundEnd)
      })
    }
    round(0, started)
    await plan.drain(clock)

    assert.ok(scraperThrottledAt !== null, `the scraper was never refused in ${scraperRequests} requests`)
    assert.ok(scraperThrottledAt < 150, `the scraper was refused only at its request #${scraperThrottledAt}`)
    assert.deepEqual([...new Set(shopperStatuses)], [200], 'no shopper request was refused')
    assert.deepEqual(shopperErrors, [])

    const staffToken = await signToken(asStaff, stack.config)
    const admin = await stack.gateway.inject({
      method: 'POST',
      url: '/admin/graphql',
      headers: { authorization: `Bearer ${staffToken}`, 'content-type': 'application/json' },
      payload: { query: '{ anomaly { clients throttled { key reasons factor } thresholds { name value } } client(key: "ip:198.51.100.66", role: anonymous) { capacity anomaly { throttled } } refusals { code count } }' },
    })
    const state = admin.json().data
    assert.deepEqual(state.anomaly.throttled.map((c: { key: string }) => c.key), ['ip:198.51.100.66'])
    assert.ok(state.anomaly.throttled[0].reasons.length > 0)
    assert.equal(state.anomaly.throttled[0].factor, 0.1)
    assert.ok(state.anomaly.thresholds.some((t: { name: string }) => t.name === 'threshold'))
    // the throttled client's bucket holds ANOMALY_THROTTLE_FACTOR of an anonymous one
    const { rateLimit, anomaly } = defaults
    assert.equal(state.client.capacity, rateLimit.perSecond.anonymous * rateLimit.burstSeconds * anomaly.throttleFactor)
    assert.equal(state.client.anomaly.throttled, true)
    assert.ok(state.refusals.some((r: { code: string; count: number }) => r.code === 'RATE_LIMITED' && r.count > 0))
    const metrics = (await stack.gateway.inject({ method: 'GET', url: '/metrics/edge' })).json()
    assert.equal(metrics.clientsThrottled, 1)
    assert.ok(metrics.refusals['RATE_LIMITED'] > 0)
    // figures for the README and the closing note
    console.log(
      `scraper: refused first at request #${scraperThrottledAt} (${scraperRequests} sent in ${((clock.now() - started) / 1000).toFixed(1)} s of traffic), reasons: ${state.anomaly.throttled[0].reasons.join('; ')}; shoppers: ${shopperStatuses.length} requests, all 200`,
    )
  })

  it('shows the edge state to staff only', async () => {
    const ask = (headers: Record<string, string>) =>
      stack.gateway.inject({ method: 'POST', url: '/admin/graphql', headers: { 'content-type': 'application/json', ...headers }, payload: { query: '{ limits { maxDepth } }' } })
    const anonymous = await ask({})
    assert.equal(anonymous.statusCode, 401)
    assert.equal(anonymous.json().errors[0].extensions.code, 'UNAUTHENTICATED')
    const customer = await ask({ authorization: `Bearer ${await signToken({ sub: 'c_1001', roles: ['customer'] }, stack.config)}` })
    assert.equal(customer.statusCode, 403)
    assert.equal(customer.json().errors[0].extensions.code, 'FORBIDDEN')
    const staff = await ask({ authorization: `Bearer ${await signToken(asStaff, stack.config)}` })
    assert.deepEqual(staff.json(), { data: { limits: { maxDepth: 6 } } })
  })
})
