// The storefront example (examples/storefront) as a shopper uses it, in Chromium, on its Vite dev
// server against the whole supergraph in this process, with TRUSTED_DOCUMENTS=enforce (the page
// runs only the storefront manifest's operations): a category listing whose stock badge changes
// without a reload when staff adjust stock through the gateway; a product in USD and EUR; the demo
// sign-in; a declined checkout with a clear message; an accepted one, then in My orders, whose
// status follows a fulfillment. Nothing is loaded from outside 127.0.0.1.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createServer, type ViteDevServer } from 'vite'
import { signToken } from '../../gateway/auth.ts'
import { eventually } from '../../platform/testing.ts'
import { storefrontConfig } from '../../examples/storefront/vite.config.ts'
import { asCustomer, asStaff, query, startStack, type Stack } from '../stack.ts'
import { chromiumPath, openBrowser, type Browser } from './chromium.ts'

const skip = chromiumPath() ? false : 'no Chromium (`which chromium` finds nothing): apt-get install -y chromium'

const CATEGORY = 'cat_app_t_shirts'
const SHOPPER = 'c_storefront_1'

interface ListedProduct {
  readonly handle: string
  readonly skus: string[]
}

describe('the storefront example in Chromium', { skip }, () => {
  let stack: Stack
  let vite: ViteDevServer
  let browser: Browser
  let origin: string
  let product: ListedProduct
  let placedNumber = ''
  let adjustments = 0
  /** Operations the page sent over HTTP otherwise than by manifest id alone (there must be none). */
  const notById: string[] = []

  /** Staff adjust stock elsewhere: a free-form mutation through the gateway, as staff may send one. */
  const adjust = async (sku: string, delta: number) => {
    const { body } = await query(stack, 'mutation ($input: InventoryAdjustInput!) { inventoryAdjustQuantities(input: $input) { userErrors { code message } } }', {
      input: { idempotencyKey: `storefront-test-${++adjustments}`, reason: 'CORRECTION', changes: [{ sku, locationId: 'loc_wh_east', name: 'AVAILABLE', delta, changeFromQuantity: null }] },
    }, asStaff)
    assert.deepEqual(body.data?.['inventoryAdjustQuantities']?.userErrors, [], JSON.stringify(body))
  }
  const badgeOf = (handle: string) => browser.page.locator(`[data-product="${handle}"] .badge`)

  before(async () => {
    stack = await startStack({ gatewayConfig: { trustedDocuments: 'enforce', trustedDocumentsAllowStaff: true } })
    const gatewayUrl = (await stack.gatewayWsUrl()).replace(/^ws/, 'http')
    vite = await createServer(storefrontConfig({ gatewayUrl, port: 0, logLevel: 'warn', signCustomerToken: (customer) => signToken(asCustomer(customer), stack.config) }))
    await vite.listen()
    origin = (vite.resolvedUrls?.local[0] ?? '').replace(/\/$/, '')
    assert.match(origin, /^http:\/\/127\.0\.0\.1:\d+$/)
    browser = await openBrowser()
    browser.page.on('request', (request) => {
      if (new URL(request.url()).pathname !== '/graphql' || request.method() !== 'POST') return
      const body = JSON.parse(request.postData() ?? '{}') as { operationName?: string; query?: string; extensions?: { persistedQuery?: { sha256Hash?: string } } }
      if (body.query !== undefined || !body.extensions?.persistedQuery?.sha256Hash) notById.push(body.operationName ?? '(unnamed)')
    })
    const { body } = await query(stack, `{ products(first: 1, filter: { categoryId: "${CATEGORY}", status: ACTIVE }) { nodes { handle variants(first: 8) { nodes { sku } } } } }`, {}, asStaff)
    const first = body.data!['products'].nodes[0]
    product = { handle: first.handle, skus: first.variants.nodes.map((v: { sku: string }) => v.sku) }
  })
  after(async () => {
    await browser?.close()
    await vite?.close()
    await stack?.close()
  })

  it('lists a category with stock badges, and a badge changes without a reload when staff adjust stock', async () => {
    const { page } = browser
    await page.goto(`${origin}/#/category/${CATEGORY}`)
    const badge = badgeOf(product.handle)
    await badge.waitFor()
    await page.locator('[data-socket="connected"]').waitFor()
    // the anonymous shopper's StockBadges subscription has reached inventory
    await eventually('the badge subscription', () => (stack.subgraphs.inventory.stockFeed?.subscriberCount ?? 0) >= 1)
    const before = Number(await badge.getAttribute('data-available'))
    assert.ok(Number.isInteger(before), `a badge with a number (${before})`)
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true))
    await adjust(product.skus[0]!, 25)
    await page.locator(`[data-product="${product.handle}"] .badge[data-available="${before + 25}"]`).waitFor({ timeout: 10_000 })
    assert.equal(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), true, 'the page was not reloaded')
    await browser.screenshot('storefront-listing')
  })

  it('shows a product page with a variant picker and its price in USD, then EUR', async () => {
    const { page } = browser
    await page.goto(`${origin}/#/product/${product.handle}`)
    const price = page.locator('.buy .price')
    await price.waitFor()
    assert.match((await price.textContent()) ?? '', /^\$\d/)
    // picking another value of the first option shows that variant
    const choices = page.locator('.option').first().getByRole('button')
    if ((await choices.count()) > 1) {
      const sku = await page.locator('.buy').getAttribute('data-sku')
      await choices.nth(1).click()
      await page.waitForFunction((previous) => document.querySelector('.buy')?.getAttribute('data-sku') !== previous, sku)
      assert.equal(await choices.nth(1).getAttribute('aria-pressed'), 'true')
    }
    await page.getByLabel('Currency').selectOption('EUR')
    await page.locator('.buy .price', { hasText: /^€\d/ }).waitFor()
    await browser.screenshot('storefront-product')
    await page.getByLabel('Currency').selectOption('USD')
    await page.locator('.buy .price', { hasText: /^\$\d/ }).waitFor()
  })

  const addToCart = async () => {
    const { page } = browser
    await page.goto(`${origin}/#/product/${product.handle}`)
    await page.getByRole('button', { name: 'Add to cart' }).click()
    await page.getByRole('status').getByText(/Added .* to your cart/).waitFor()
    await page.goto(`${origin}/#/cart`)
    await page.locator('tr[data-line]').first().waitFor()
  }

  it('signs in with the demo sign-in, and shows a declined payment as a clear message', async () => {
    const { page } = browser
    await page.goto(`${origin}/#/sign-in`)
    await page.getByLabel('Customer id').fill(SHOPPER)
    await page.getByRole('button', { name: 'Sign in as this customer' }).click()
    await page.locator('.who', { hasText: SHOPPER }).waitFor()
    await addToCart()
    await page.getByLabel(/declined \(tok_declined\)/).check()
    await page.getByRole('button', { name: /Place order/ }).click()
    const declined = page.getByRole('alert').filter({ hasText: /Payment declined/ })
    await declined.waitFor({ timeout: 15_000 })
    assert.match((await declined.textContent()) ?? '', /cancelled/)
    await browser.screenshot('storefront-declined')
  })

  it('checks out with tok_ok, shows the confirmed order, and lists it in My orders with its status kept current', async () => {
    const { page } = browser
    await addToCart()
    await page.getByLabel(/authorized \(tok_ok\)/).check()
    await page.getByRole('button', { name: /Place order/ }).click()
    const confirmed = page.locator('.outcome.confirmed')
    await confirmed.waitFor({ timeout: 15_000 })
    placedNumber = (await confirmed.getAttribute('data-order')) ?? ''
    assert.match(placedNumber, /^#\d+$/)
    await browser.screenshot('storefront-confirmed')
    await page.getByRole('link', { name: 'My orders' }).first().click()
    const row = page.locator(`tr[data-order="${placedNumber}"]`)
    await row.waitFor()
    assert.equal(await row.getAttribute('data-status'), 'OPEN')
    assert.equal(await page.locator('tr[data-order][data-status="CANCELLED"]').count(), 1, 'the declined order is there too, cancelled')
    // staff ship it: the row follows without a reload (My orders polls)
    const { body } = await query(stack, 'query ($number: String!) { order(number: $number) { fulfillmentOrders { id lines { quantity lineItem { id } } } } }', { number: placedNumber }, asStaff)
    const fulfillmentOrder = body.data!['order'].fulfillmentOrders[0]
    const shipped = await query(stack, 'mutation ($input: FulfillmentCreateInput!) { fulfillmentCreate(input: $input) { userErrors { code message } } }', {
      input: { idempotencyKey: 'storefront-ship-1', fulfillmentOrderId: fulfillmentOrder.id, lines: fulfillmentOrder.lines.map((l: { quantity: number; lineItem: { id: string } }) => ({ lineItemId: l.lineItem.id, quantity: l.quantity })) },
    }, asStaff)
    assert.deepEqual(shipped.body.data?.['fulfillmentCreate']?.userErrors, [], JSON.stringify(shipped.body))
    await row.getByText('fulfilled', { exact: true }).waitFor({ timeout: 10_000 })
    await browser.screenshot('storefront-orders')
  })

  it('sent every operation by its manifest id alone, tried nothing outside 127.0.0.1 and logged no error', () => {
    assert.deepEqual(notById, [])
    assert.deepEqual(browser.outside, [])
    assert.deepEqual(browser.errors.filter((error) => !/favicon/.test(error)), [])
  })
})
