/**
 * urql 6 (`@urql/core`) against a listening stack: its default exchanges (queries go as GET when
 * the URL stays within 2,048 characters, with no header but Accept), subscriptions through
 * `subscriptionExchange` over graphql-ws, and the manifest ids added by one small exchange for
 * TRUSTED_DOCUMENTS=enforce.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange, type Exchange, type Operation } from '@urql/core'
import { Kind, type OperationDefinitionNode } from 'graphql'
import { createClient, type Client as WsClient } from 'graphql-ws'
import WebSocket from 'ws'
import { signToken, type TokenClaims } from '../../gateway/auth.ts'
import type { PersistedQueryManifest } from '../../contracts/manifest.ts'
import { eventually } from '../../platform/testing.ts'
import { StockChangesDocument, type StockChangesSubscription } from '../../operations/partner/generated/graphql.ts'
import { ProductListingDocument, ProductPageDocument } from '../../operations/storefront/generated/graphql.ts'
import type { Config } from '../../platform/config.ts'
import { asStaff, query, startStack, type Stack } from '../stack.ts'

const PARTNER: TokenClaims = { sub: 'partner_urql', roles: ['partner'], scopes: ['stock:read'] }
const ADJUST = 'mutation ($input: InventoryAdjustInput!) { inventoryAdjustQuantities(input: $input) { userErrors { code message } } }'

interface Sent {
  readonly method: string
  readonly headers: Record<string, string>
  readonly params: Record<string, unknown>
}

function recordingFetch(sent: Sent[]): typeof fetch {
  return async (input, init) => {
    const params = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : Object.fromEntries(new URL(String(input)).searchParams)
    sent.push({ method: init?.method ?? 'GET', headers: { ...(init?.headers as Record<string, string>) }, params })
    return fetch(input, init)
  }
}

/** urql's subscriptionExchange over a graphql-ws client (the recipe in urql's documentation). */
const overGraphqlWs = (ws: WsClient): Exchange =>
  subscriptionExchange({
    forwardSubscription: (request) => ({
      subscribe: (sink) => ({
        // a request by id carries no text: graphql-ws still wants a string
        unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, { next: (result) => sink.next(result as never), error: (e) => sink.error(e), complete: () => sink.complete() }),
      }),
    }),
  })

/**
 * Sends each operation by its manifest id (`extensions.persistedQuery`, as Apollo clients do);
 * urql then leaves the text out. The typed documents carry their manifest's __typename already.
 */
const manifestIds = (manifests: PersistedQueryManifest[]): Exchange => {
  const ids = new Map(manifests.flatMap((m) => m.operations.map((o) => [o.name, o.id] as const)))
  return mapExchange({
    onOperation: (operation: Operation) => {
      const name = operation.query.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)?.name?.value
      const id = name === undefined ? undefined : ids.get(name)
      return id ? { ...operation, extensions: { ...operation.extensions, persistedQuery: { version: 1, sha256Hash: id } } } : operation
    },
  })
}

const manifestOf = (client: string) => JSON.parse(readFileSync(`operations/${client}/manifest.json`, 'utf8')) as PersistedQueryManifest

/**
 * For a `describe` block: a stack with these gateway settings, its HTTP URL, and a graphql-ws
 * client signed in as the partner (Node 20 has no global WebSocket: graphql-ws is given ws's).
 */
function urqlStack(gatewayConfig: Partial<Config>) {
  const handle = {} as { stack: Stack; url: string; ws: WsClient }
  before(async () => {
    handle.stack = await startStack({ gatewayConfig })
    const wsUrl = await handle.stack.gatewayWsUrl()
    handle.url = wsUrl.replace(/^ws:/, 'http:')
    handle.ws = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: async () => ({ authorization: `Bearer ${await signToken(PARTNER, handle.stack.config)}` }) })
  })
  after(async () => {
    await handle.ws?.dispose()
    await handle.stack?.close()
  })
  return handle
}

async function receivesStockChange(stack: Stack, client: Client, sku: string, key: string): Promise<StockChangesSubscription> {
  const results: { data?: StockChangesSubscription; error?: unknown }[] = []
  const { unsubscribe } = client.subscription(StockChangesDocument, { filter: { skus: [sku] } }).subscribe((result) => {
    results.push({ ...(result.data ? { data: result.data } : {}), ...(result.error ? { error: result.error } : {}) })
  })
  try {
    await eventually('the subscription to reach inventory', () => results.length > 0 || stack.subgraphs.inventory.stockFeed?.subscriberCount === 1)
    assert.equal(results.length, 0, JSON.stringify(results))
    const changes = [{ sku, locationId: 'loc_wh_east', name: 'AVAILABLE', delta: -1, changeFromQuantity: null }]
    const { body } = await query(stack, ADJUST, { input: { idempotencyKey: key, reason: 'CORRECTION', changes } }, asStaff)
    assert.deepEqual(body.data?.['inventoryAdjustQuantities']?.userErrors, [], JSON.stringify(body))
    await eventually('the stock change', () => results.length > 0, 15_000)
    assert.equal(results[0]!.error, undefined, String(results[0]!.error))
    return results[0]!.data!
  } finally {
    unsubscribe()
  }
}

describe('urql with its default exchanges (TRUSTED_DOCUMENTS=log, the development default)', () => {
  const t = urqlStack({ trustedDocuments: 'log' })

  it('runs a query as a GET with no header but Accept (no CSRF preflight header needed)', async () => {
    const sent: Sent[] = []
    const client = new Client({ url: t.url, exchanges: [cacheExchange, fetchExchange], fetch: recordingFetch(sent) })
    const result = await client.query(ProductListingDocument, { currency: 'USD', first: 2 }).toPromise()
    assert.equal(result.error, undefined, String(result.error))
    assert.equal(result.data!.products.nodes.length, 2)
    assert.equal(result.data!.products.nodes[0]!.__typename, 'Product')
    assert.deepEqual(sent.map((s) => [s.method, Object.keys(s.headers)]), [['GET', ['accept']]])
    assert.equal(typeof sent[0]!.params['query'], 'string')
  })

  it('runs the partner StockChanges subscription through subscriptionExchange over graphql-ws', async () => {
    const client = new Client({ url: t.url, exchanges: [cacheExchange, fetchExchange, overGraphqlWs(t.ws)] })
    const event = (await receivesStockChange(t.stack, client, 'APP-0004-M', 'urql-log-1')).stockLevelChanged
    assert.equal(event.sku, 'APP-0004-M')
    assert.ok(event.variant.product.title)
  })
})

describe('urql sending manifest ids (TRUSTED_DOCUMENTS=enforce)', () => {
  // staff free-form documents only adjust stock for the subscription
  const t = urqlStack({ trustedDocuments: 'enforce', trustedDocumentsAllowStaff: true })

  const exchanges = () => [cacheExchange, manifestIds([manifestOf('storefront'), manifestOf('partner')]), fetchExchange, overGraphqlWs(t.ws)]

  it('runs a query by id as a GET (the URL a CDN can cache: no document text in it)', async () => {
    const sent: Sent[] = []
    const client = new Client({ url: t.url, exchanges: exchanges(), fetch: recordingFetch(sent) })
    const result = await client.query(ProductPageDocument, { handle: 'classic-tee-001', currency: 'USD' }).toPromise()
    assert.equal(result.error, undefined, String(result.error))
    assert.equal(result.data!.product!.handle, 'classic-tee-001')
    assert.deepEqual(sent.map((s) => [s.method, s.params['query']]), [['GET', undefined]])
    const id = manifestOf('storefront').operations.find((o) => o.name === 'ProductPage')!.id
    assert.equal((JSON.parse(String(sent[0]!.params['extensions'])) as { persistedQuery: { sha256Hash: string } }).persistedQuery.sha256Hash, id)
  })

  it('surfaces the code of a refused free-form document as a GraphQL error', async () => {
    const client = new Client({ url: t.url, exchanges: [cacheExchange, fetchExchange] })
    const result = await client.query('query Free { products(first: 1) { nodes { id } } }', {}).toPromise()
    assert.equal(result.error?.graphQLErrors[0]?.extensions?.['code'], 'PERSISTED_QUERY_REQUIRED', String(result.error))
  })

  it('runs the partner StockChanges subscription by id over graphql-ws', async () => {
    const client = new Client({ url: t.url, exchanges: exchanges() })
    const event = (await receivesStockChange(t.stack, client, 'APP-0005-M', 'urql-enforce-1')).stockLevelChanged
    assert.equal(event.sku, 'APP-0005-M')
  })
})
