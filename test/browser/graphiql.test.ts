// GraphiQL as a person uses it, in Chromium, against the whole supergraph in this process: the
// page comes from the gateway alone (every request outside 127.0.0.1 is aborted and must not be
// tried), shows the schema's descriptions, runs a query, runs a client's persisted operation by
// id, and streams a subscription over graphql-ws.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Page } from 'playwright-core'
import { signToken } from '../../gateway/auth.ts'
import { buildWorld } from '../../seed/world.ts'
import { asStaff, query, startStack, type Stack } from '../stack.ts'
import { browserTestsSkipped, openBrowser, type Browser } from './chromium.ts'

type CodeMirrorElement = Element & { CodeMirror: { setValue(value: string): void; getValue(): string } }

const QUERY_EDITOR = '.graphiql-query-editor .CodeMirror'
const TOOL_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror'
const RESPONSE = '.graphiql-response .CodeMirror'

const setEditor = (page: Page, selector: string, value: string) =>
  page.evaluate(([s, v]) => (document.querySelector(s as string) as CodeMirrorElement).CodeMirror.setValue(v as string), [selector, value])

/** Puts a document in the query editor, and waits until GraphiQL has parsed it (its tab takes the operation's name). */
async function setQuery(page: Page, document: string, operationName: string): Promise<void> {
  await setEditor(page, QUERY_EDITOR, document)
  await page.locator('.graphiql-tab').getByText(operationName, { exact: true }).waitFor()
}

/** Waits until the response pane holds `text`; returns what it holds. */
async function responseWith(page: Page, text: string): Promise<string> {
  await page.waitForFunction(([s, t]) => (document.querySelector(s as string) as CodeMirrorElement | null)?.CodeMirror.getValue().includes(t as string) ?? false, [RESPONSE, text])
  return page.evaluate((s) => (document.querySelector(s) as CodeMirrorElement).CodeMirror.getValue(), RESPONSE)
}

const skip = browserTestsSkipped()

describe('GraphiQL in Chromium, served by the gateway', { skip }, () => {
  let stack: Stack
  let browser: Browser
  let origin: string
  /** The bodies of the POSTs the page sent to /graphql. */
  const sent: Record<string, unknown>[] = []
  const world = buildWorld()
  const level = world.stockLevels.find((s) => s.locationId === 'loc_wh_east' && s.available >= 10)!

  before(async () => {
    stack = await startStack()
    origin = (await stack.gatewayWsUrl()).replace(/^ws/, 'http').replace(/\/graphql$/, '')
    browser = await openBrowser()
    browser.page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/graphql') sent.push(JSON.parse(request.postData() ?? '{}') as Record<string, unknown>)
    })
  })
  after(async () => {
    await browser?.close()
    await stack?.close()
  })

  it('opens from /graphql with nothing loaded from outside 127.0.0.1, and documents the schema from its descriptions', async () => {
    const { page } = browser
    const response = await page.goto(`${origin}/graphql`)
    assert.equal(new URL(page.url()).pathname, '/graphiql')
    assert.match(response?.headers()['content-security-policy'] ?? '', /default-src 'none'/)
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click()
    await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().click()
    await page.getByText('A product by id or by handle').first().waitFor()
    await browser.screenshot('graphiql-docs')
    await page.getByRole('button', { name: 'Hide Documentation Explorer' }).click()
  })

  it('runs a query typed in the editor', async () => {
    const { page } = browser
    await setQuery(page, 'query FirstProducts {\n  products(first: 3) {\n    nodes {\n      handle\n      title\n    }\n  }\n}\n', 'FirstProducts')
    await page.getByRole('button', { name: /^Execute query/ }).click()
    const text = await responseWith(page, '"handle"')
    assert.equal((JSON.parse(text) as { data: { products: { nodes: unknown[] } } }).data.products.nodes.length, 3)
    assert.equal(sent.at(-1)?.['operationName'], 'FirstProducts')
    assert.match(String(sent.at(-1)?.['query']), /products\(first: 3\)/)
    await browser.screenshot('graphiql-query')
  })

  it('lists the client manifests and runs a persisted operation by its id, without its text', async () => {
    const { page } = browser
    await page.getByRole('button', { name: 'Variables' }).click()
    await setEditor(page, TOOL_EDITOR, '{ "currency": "EUR", "first": 2 }')
    await page.getByRole('button', { name: 'Show Persisted operations' }).click()
    await page.locator('[data-operation="ProductListing"]').waitFor()
    const before = sent.length
    await page.getByRole('button', { name: 'Run ProductListing by id' }).click()
    await responseWith(page, '"pageInfo"')
    const body = sent.slice(before).at(-1)
    assert.match(String(body?.['documentId']), /^sha256:[0-9a-f]{64}$/)
    assert.equal(body?.['query'], undefined)
    assert.equal(body?.['operationName'], 'ProductListing')
    await browser.screenshot('graphiql-persisted')
    await page.getByRole('button', { name: 'Hide Persisted operations' }).click()
  })

  it('streams a subscription over graphql-ws with the token of the headers pane', async () => {
    const { page } = browser
    const partner = await signToken({ sub: 'partner_acme', roles: ['partner'], scopes: ['stock:read'] }, stack.config)
    await page.getByRole('button', { name: 'Headers' }).click()
    await setEditor(page, TOOL_EDITOR, JSON.stringify({ Authorization: `Bearer ${partner}` }))
    await page.getByRole('button', { name: 'Variables' }).click()
    await setEditor(page, TOOL_EDITOR, '{}')
    await setQuery(page, `subscription StockFeed {\n  stockLevelChanged(filter: { skus: ["${level.sku}"], locationIds: ["${level.locationId}"] }) {\n    sku\n    changes { name before after }\n  }\n}\n`, 'StockFeed')
    const socket = page.waitForEvent('websocket')
    await page.getByRole('button', { name: /^Execute query/ }).click()
    assert.equal(new URL((await socket).url()).pathname, '/graphql')
    // the upstream subscription opens asynchronously: adjust until an event shows
    let adjustments = 0
    for (; adjustments < 10 && !(await page.evaluate((s) => (document.querySelector(s) as CodeMirrorElement).CodeMirror.getValue(), RESPONSE)).includes(level.sku); adjustments++) {
      const { body } = await query(stack, 'mutation Adjust($input: InventoryAdjustInput!) { inventoryAdjustQuantities(input: $input) { userErrors { code } } }', {
        input: { idempotencyKey: `graphiql-browser-${adjustments}`, reason: 'CORRECTION', changes: [{ sku: level.sku, locationId: level.locationId, name: 'AVAILABLE', delta: 1, changeFromQuantity: null }] },
      }, asStaff)
      assert.deepEqual(body.errors, undefined)
      await stack.flushEvents()
      await page.waitForTimeout(300)
    }
    const text = await responseWith(page, level.sku)
    assert.match(text, /"AVAILABLE"/)
    await browser.screenshot('graphiql-subscription')
    // GraphiQL keeps its tabs in localStorage: never the headers, so never the token
    const stored = await page.evaluate(() => Object.values(localStorage).join('\n'))
    assert.match(stored, /StockFeed/)
    assert.doesNotMatch(stored, new RegExp(partner.slice(-20)))
  })

  it('tried nothing outside 127.0.0.1 and broke no rule of its content security policy', () => {
    assert.deepEqual(browser.outside, [])
    assert.deepEqual(browser.errors.filter((error) => !/favicon/.test(error)), [])
  })
})
