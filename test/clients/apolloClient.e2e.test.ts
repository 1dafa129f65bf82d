/**
 * Apollo Client 4 (no React), as a frontend team sets it up, against a listening stack: the
 * default InMemoryCache, the persisted-query link taking ids from the storefront manifest
 * (`generatePersistedQueryIdsFromManifest`), the manifest verification link, HttpLink; automatic
 * persisted queries; GraphQLWsLink for the partner subscription.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache } from '@apollo/client'
import { addTypenameToDocument } from '@apollo/client/utilities'
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries'
import { GraphQLWsLink } from '@apollo/client/link/subscriptions'
import { createPersistedQueryManifestVerificationLink, generatePersistedQueryIdsFromManifest, sortTopLevelDefinitions } from '@apollo/persisted-query-lists'
import { parse, print } from 'graphql'
import { createClient, type Client as WsClient } from 'graphql-ws'
import WebSocket from 'ws'
import { signToken, type TokenClaims } from '../../gateway/auth.ts'
import { describeDocumentMismatch } from '../../contracts/documentMismatch.ts'
import type { ManifestOperation, PersistedQueryManifest } from '../../contracts/manifest.ts'
import { eventually } from '../../platform/testing.ts'
import { StockChangesDocument, type StockChangesSubscription } from '../../operations/partner/generated/graphql.ts'
import {
  CartLinesAddDocument,
  CartSummaryFragmentDoc,
  CartViewDocument,
  CategoriesDocument,
  CategoryListingDocument,
  CheckoutCompleteDocument,
  MyOrdersDocument,
  OrderOutcomeDocument,
  ProductCardFragmentDoc,
  ProductListingDocument,
  ProductPageDocument,
  SearchProductsDocument,
  StockBadgesDocument,
  type StockBadgesSubscription,
} from '../../operations/storefront/generated/graphql.ts'
import { asCustomer, asStaff, query, startStack, type Stack } from '../stack.ts'

const manifestOf = (client: string) => JSON.parse(readFileSync(`operations/${client}/manifest.json`, 'utf8')) as PersistedQueryManifest
const STOREFRONT = manifestOf('storefront')
const PARTNER_MANIFEST = manifestOf('partner')
const idOf = (manifest: PersistedQueryManifest, name: string) => manifest.operations.find((o) => o.name === name)!.id

/** The HTTP requests a client made: method and JSON body (or the GET parameters). */
interface Sent {
  readonly method: string
  readonly body: Record<string, any>
}

function recordingFetch(sent: Sent[]): typeof fetch {
  return async (input, init) => {
    const method = init?.method ?? 'GET'
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, any>) : Object.fromEntries(new URL(String(input)).searchParams)
    sent.push({ method, body })
    return fetch(input, init)
  }
}

/** Every verification failure, explained (the verification link itself only names the reason). */
function verificationLink(manifest: PersistedQueryManifest, failures: string[]): ApolloLink {
  const link = createPersistedQueryManifestVerificationLink({
    loadManifest: async () => loaded(manifest),
    onVerificationFailed: (details) => {
      const body = 'manifestOperation' in details ? details.manifestOperation.body : ''
      failures.push(`${details.reason} ${details.operation.operationName}: ${describeDocumentMismatch(body, print(sortTopLevelDefinitions(details.operation.query)))}`)
    },
  })
  // the package is CommonJS: its types name Apollo Client's CommonJS build, the same link at run time
  return link as unknown as ApolloLink
}

/** The manifest as the @apollo/persisted-query-lists loaders take it. */
const loaded = (manifest: PersistedQueryManifest) => ({ operations: manifest.operations.map((o): ManifestOperation => ({ ...o })) })

interface ClientOptions {
  readonly url: string
  readonly token?: string
  readonly manifest?: PersistedQueryManifest
  readonly sent?: Sent[]
  readonly failures?: string[]
  readonly retry?: boolean
}

/** The storefront's client: ids from its manifest, checked by the verification link, over HttpLink. */
function storefrontClient(options: ClientOptions): ApolloClient {
  const manifest = options.manifest ?? STOREFRONT
  const http = new HttpLink({
    uri: options.url,
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    fetch: recordingFetch(options.sent ?? []),
  })
  const persisted = new PersistedQueryLink({
    ...generatePersistedQueryIdsFromManifest({ loadManifest: async () => loaded(manifest) }),
    ...(options.retry === false ? { retry: () => false } : {}),
  })
  return new ApolloClient({ cache: new InMemoryCache(), link: ApolloLink.from([verificationLink(manifest, options.failures ?? []), persisted, http]) })
}

const codeOf = (error: unknown) => (CombinedGraphQLErrors.is(error) ? error.errors[0]?.extensions?.['code'] : `not a GraphQL error: ${String(error)}`)

async function listen(stack: Stack): Promise<{ http: string; ws: string }> {
  const ws = await stack.gatewayWsUrl()
  return { ws, http: ws.replace(/^ws:/, 'http:') }
}

describe('Apollo Client 4 with the storefront manifest, TRUSTED_DOCUMENTS=enforce', () => {
  let stack: Stack
  let url: string
  const sent: Sent[] = []
  const failures: string[] = []
  let client: ApolloClient
  let cartId = ''
  before(async () => {
    // staff free-form documents only adjust stock for the subscription below
    stack = await startStack({ gatewayConfig: { trustedDocuments: 'enforce', trustedDocumentsAllowStaff: true } })
    url = (await listen(stack)).http
    client = storefrontClient({ url, token: await signToken(asCustomer('c_1020'), stack.config), sent, failures })
  })
  after(async () => {
    await client?.clearStore()
    client?.stop()
    await stack?.close()
  })

  it('lists products by manifest id, in one request, normalized in the cache with their fragment complete', async () => {
    sent.length = 0
    const { data } = await client.query({ query: ProductListingDocument, variables: { currency: 'USD', first: 3 } })
    assert.deepEqual(sent.map((s) => [s.method, s.body['query'], s.body['extensions']?.persistedQuery?.sha256Hash]), [['POST', undefined, idOf(STOREFRONT, 'ProductListing')]])
    const nodes = data!.products.nodes
    assert.equal(nodes.length, 3)
    const cache = client.cache.extract() as Record<string, any>
    for (const node of nodes) {
      assert.equal(node.__typename, 'Product')
      assert.ok(node.handle && node.priceRange?.min.minorUnits, JSON.stringify(node))
      const key = client.cache.identify(node)!
      assert.equal(key, `Product:${node.id}`)
      assert.equal(cache[key]?.handle, node.handle, `the cache holds ${key}`)
      // the fragment reads back complete from the normalized entity
      const card = client.cache.readFragment({ id: key, fragment: ProductCardFragmentDoc, variables: { currency: 'USD' } })
      assert.deepEqual(card, node)
    }
    assert.deepEqual(cache['ROOT_QUERY'][Object.keys(cache['ROOT_QUERY']).find((k) => k.startsWith('products'))!].nodes, nodes.map((n) => ({ __ref: `Product:${n.id}` })))
  })

  it('adds to the cart by manifest id, the cart and its lines normalized, CartSummary complete', async () => {
    const { data } = await client.mutate({
      mutation: CartLinesAddDocument,
      variables: { input: { idempotencyKey: 'ac-add-1', currency: 'USD', countryCode: 'US', lines: [{ sku: 'APP-0002-M', quantity: 2 }] } },
    })
    assert.deepEqual(data!.cartLinesAdd.userErrors, [])
    const cart = data!.cartLinesAdd.cart!
    cartId = cart.id
    assert.equal(cart.lines[0]!.quantity, 2)
    const cache = client.cache.extract() as Record<string, any>
    assert.equal(cache[`Cart:${cart.id}`]?.currency, 'USD')
    assert.deepEqual(cache[`Cart:${cart.id}`].lines, cart.lines.map((line) => ({ __ref: `CartLine:${line.id}` })))
    assert.deepEqual(client.cache.readFragment({ id: `Cart:${cart.id}`, fragment: CartSummaryFragmentDoc }), cart)
  })

  it('runs the rest of the storefront by id: categories, listing with stock, product page, search, cart view, checkout, order outcome, my orders', async () => {
    const categories = await client.query({ query: CategoriesDocument })
    const apparel = categories.data!.categories.find((c) => c.handle === 'apparel')!
    assert.ok(apparel.children.length > 0)
    const listing = await client.query({ query: CategoryListingDocument, variables: { categoryId: apparel.children[0]!.id, currency: 'EUR' } })
    assert.ok(listing.data!.products.nodes.every((p) => p.variants.nodes.every((v) => Number.isInteger(v.availableToSell))))
    const page = await client.query({ query: ProductPageDocument, variables: { handle: 'classic-tee-001', currency: 'USD' } })
    assert.equal(page.data!.product!.handle, 'classic-tee-001')
    const search = await client.query({ query: SearchProductsDocument, variables: { query: 'tee', currency: 'USD' } })
    assert.ok(search.data!.products.nodes.length > 0)
    const view = await client.query({ query: CartViewDocument, variables: { id: cartId } })
    const total = view.data!.cart!.total
    // the cart view refreshed the normalized cart the mutation wrote
    assert.equal((client.cache.extract() as Record<string, any>)[`Cart:${cartId}`].total.minorUnits, total.minorUnits)
    const checkout = await client.mutate({
      mutation: CheckoutCompleteDocument,
      variables: { input: { idempotencyKey: 'ac-co-1', cartId, paymentMethodToken: 'tok_ok', expectedTotal: { minorUnits: total.minorUnits, currency: total.currency } } },
    })
    assert.deepEqual(checkout.data!.checkoutComplete.userErrors, [])
    const outcome = await client.query({ query: OrderOutcomeDocument, variables: { id: checkout.data!.checkoutComplete.order!.id } })
    assert.equal(outcome.data!.order!.number, checkout.data!.checkoutComplete.order!.number)
    const mine = await client.query({ query: MyOrdersDocument, variables: { first: 10 } })
    assert.ok(mine.data!.orders.nodes.some((o) => o.number === checkout.data!.checkoutComplete.order!.number))
  })

  it('the verification link finds every storefront operation as the manifest has it, and every request went by id alone', () => {
    assert.deepEqual(failures, [])
    const ran = new Set(sent.map((s) => s.body['operationName']))
    // the subscription goes over graphql-ws (below)
    assert.deepEqual([...ran].sort(), STOREFRONT.operations.filter((o) => o.type !== 'subscription').map((o) => o.name).sort())
    assert.ok(sent.every((s) => s.body['query'] === undefined && s.body['extensions']?.persistedQuery?.sha256Hash === idOf(STOREFRONT, s.body['operationName'])))
  })

  it('surfaces the code of a refused free-form document to the caller as a GraphQL error', async () => {
    const plain = new ApolloClient({ cache: new InMemoryCache(), link: new HttpLink({ uri: url }) })
    const error = await plain.query({ query: parse('query Free { products(first: 1) { nodes { id } } }') }).then(() => null, (e: unknown) => e)
    assert.equal(codeOf(error), 'PERSISTED_QUERY_REQUIRED')
    plain.stop()
  })

  it('surfaces PERSISTED_QUERY_NOT_FOUND for an id the gateway does not know, and PERSISTED_QUERY_REQUIRED when the client then sends the text', async () => {
    const extra = parse('query NotDeployed { products(first: 1) { nodes { id } } }')
    // what Apollo's manifest generator would have written for it
    const body = print(addTypenameToDocument(extra))
    const stale: PersistedQueryManifest = { ...STOREFRONT, operations: [...STOREFRONT.operations, { id: sha256(body), name: 'NotDeployed', type: 'query', body }] }
    const once = storefrontClient({ url, manifest: stale, retry: false })
    assert.equal(codeOf(await once.query({ query: extra }).then(() => null, (e: unknown) => e)), 'PERSISTED_QUERY_NOT_FOUND')
    const retrying = storefrontClient({ url, manifest: stale })
    assert.equal(codeOf(await retrying.query({ query: extra }).then(() => null, (e: unknown) => e)), 'PERSISTED_QUERY_REQUIRED')
    once.stop()
    retrying.stop()
  })

  it('runs the storefront StockBadges subscription anonymously by manifest id through GraphQLWsLink and receives the new total', async () => {
    const wsClient: WsClient = createClient({ url: await stack.gatewayWsUrl(), webSocketImpl: WebSocket, retryAttempts: 0 })
    const badgeFailures: string[] = []
    const subscriber = new ApolloClient({
      cache: new InMemoryCache(),
      link: ApolloLink.from([
        verificationLink(STOREFRONT, badgeFailures),
        new PersistedQueryLink(generatePersistedQueryIdsFromManifest({ loadManifest: async () => loaded(STOREFRONT) })),
        new GraphQLWsLink(wsClient),
      ]),
    })
    const events: StockBadgesSubscription[] = []
    const errors: unknown[] = []
    const subscription = subscriber.subscribe({ query: StockBadgesDocument, variables: { skus: ['APP-0004-M'] } }).subscribe({
      next: (result) => (result.error ? errors.push(result.error) : result.data && events.push(result.data)),
      error: (error: unknown) => errors.push(error),
    })
    try {
      await eventually('the subscription to reach inventory', () => errors.length > 0 || stack.subgraphs.inventory.stockFeed?.subscriberCount === 1)
      assert.deepEqual(errors, [])
      const before = await query(stack, '{ variant(sku: "APP-0004-M") { availableToSell } }', {}, asStaff)
      const { body } = await query(stack, 'mutation ($input: InventoryAdjustInput!) { inventoryAdjustQuantities(input: $input) { userErrors { code message } } }', {
        input: { idempotencyKey: 'ac-badge-1', reason: 'CORRECTION', changes: [{ sku: 'APP-0004-M', locationId: 'loc_wh_east', name: 'AVAILABLE', delta: -1, changeFromQuantity: null }] },
      }, asStaff)
      assert.deepEqual(body.data?.['inventoryAdjustQuantities']?.userErrors, [], JSON.stringify(body))
      await eventually('the new total', () => events.length > 0 || errors.length > 0, 15_000)
      assert.deepEqual(errors, [])
      assert.deepEqual(events[0]!.availableToSellChanged.sku, 'APP-0004-M')
      assert.equal(events[0]!.availableToSellChanged.availableToSell, before.body.data!['variant'].availableToSell - 1)
      assert.deepEqual(badgeFailures, [])
    } finally {
      subscription.unsubscribe()
      subscriber.stop()
      await wsClient.dispose()
      await eventually('the subscription to be released', () => stack.subgraphs.inventory.stockFeed?.subscriberCount === 0)
    }
  })

  it('runs the partner StockChanges subscription by manifest id through GraphQLWsLink and receives a stock change', async () => {
    const ws = await stack.gatewayWsUrl()
    const partner: TokenClaims = { sub: 'partner_ac', roles: ['partner'], scopes: ['stock:read'] }
    const token = await signToken(partner, stack.config)
    // Node 20 has no global WebSocket: graphql-ws is given ws's
    const wsClient: WsClient = createClient({ url: ws, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 })
    const partnerFailures: string[] = []
    const subscriber = new ApolloClient({
      cache: new InMemoryCache(),
      link: ApolloLink.from([
        verificationLink(PARTNER_MANIFEST, partnerFailures),
        new PersistedQueryLink(generatePersistedQueryIdsFromManifest({ loadManifest: async () => loaded(PARTNER_MANIFEST) })),
        new GraphQLWsLink(wsClient),
      ]),
    })
    const events: StockChangesSubscription[] = []
    const errors: unknown[] = []
    const subscription = subscriber.subscribe({ query: StockChangesDocument, variables: { filter: { skus: ['APP-0003-M'] } } }).subscribe({
      next: (result) => (result.error ? errors.push(result.error) : result.data && events.push(result.data)),
      error: (error: unknown) => errors.push(error),
    })
    try {
      await eventually('the subscription to reach inventory', () => errors.length > 0 || stack.subgraphs.inventory.stockFeed?.subscriberCount === 1)
      assert.deepEqual(errors, [])
      const { body } = await query(stack, 'mutation ($input: InventoryAdjustInput!) { inventoryAdjustQuantities(input: $input) { userErrors { code message } } }', {
        input: { idempotencyKey: 'ac-sub-1', reason: 'CORRECTION', changes: [{ sku: 'APP-0003-M', locationId: 'loc_wh_east', name: 'AVAILABLE', delta: -1, changeFromQuantity: null }] },
      }, asStaff)
      assert.deepEqual(body.data?.['inventoryAdjustQuantities']?.userErrors, [], JSON.stringify(body))
      await eventually('the stock change', () => events.length > 0 || errors.length > 0, 15_000)
      assert.deepEqual(errors, [])
      const event = events[0]!.stockLevelChanged
      assert.equal(event.__typename, 'StockLevelChangedEvent')
      assert.equal(event.sku, 'APP-0003-M')
      assert.equal(event.location.id, 'loc_wh_east')
      assert.ok(event.variant.product.title)
      assert.deepEqual(partnerFailures, [])
    } finally {
      subscription.unsubscribe()
      subscriber.stop()
      await wsClient.dispose()
    }
  })
})

describe('Apollo Client automatic persisted queries, TRUSTED_DOCUMENTS=log', () => {
  let stack: Stack
  let url: string
  before(async () => {
    stack = await startStack({ gatewayConfig: { trustedDocuments: 'log' } })
    url = (await listen(stack)).http
  })
  after(() => stack?.close())

  const apqClient = (sent: Sent[]) =>
    new ApolloClient({
      cache: new InMemoryCache(),
      link: ApolloLink.from([new PersistedQueryLink({ sha256 }), new HttpLink({ uri: url, fetch: recordingFetch(sent) })]),
    })

  it("hashes a manifest operation to its manifest id: the gateway knows it from the first request", async () => {
    const sent: Sent[] = []
    const client = apqClient(sent)
    const { data } = await client.query({ query: ProductPageDocument, variables: { handle: 'classic-tee-001', currency: 'USD' } })
    assert.equal(data!.product!.handle, 'classic-tee-001')
    assert.deepEqual(sent.map((s) => [s.body['query'], s.body['extensions']?.persistedQuery?.sha256Hash]), [[undefined, idOf(STOREFRONT, 'ProductPage')]])
    client.stop()
  })

  it('registers a document outside the manifests on the first miss and runs it by hash afterwards', async () => {
    const sent: Sent[] = []
    const client = apqClient(sent)
    const document = parse('query Handles { products(first: 2) { nodes { handle } } }')
    const first = await client.query({ query: document, fetchPolicy: 'network-only' })
    const again = await client.query({ query: document, fetchPolicy: 'network-only' })
    assert.deepEqual(again.data, first.data)
    assert.equal((first.data as { products: { nodes: unknown[] } }).products.nodes.length, 2)
    // hash alone (not found), then hash and text (registered), then hash alone (found)
    assert.deepEqual(sent.map((s) => typeof s.body['query']), ['undefined', 'string', 'undefined'])
    const hash = sent[0]!.body['extensions'].persistedQuery.sha256Hash
    assert.equal(hash, sha256(sent[1]!.body['query']))
    assert.ok(sent.every((s) => s.body['extensions'].persistedQuery.sha256Hash === hash))
    client.stop()
  })
})

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
