import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import type { ApolloServerPlugin } from '@apollo/server'
import { signToken, type TokenClaims } from '../gateway/auth.ts'
import type { GatewayContext } from '../gateway/context.ts'
import type { PersistedQueryManifest } from '../contracts/manifest.ts'
import { eventually } from '../platform/testing.ts'
import { openRawSocket, type RawSocket } from '../platform/wsTesting.ts'
import { asCustomer, asStaff, startStack, type Stack } from './stack.ts'

const manifestOf = (client: string) => JSON.parse(readFileSync(`operations/${client}/manifest.json`, 'utf8')) as PersistedQueryManifest
const idOf = (client: string, name: string) => {
  const operation = manifestOf(client).operations.find((o) => o.name === name)
  assert.ok(operation, `${client} has no operation ${name}`)
  return operation.id
}
const PRODUCT_PAGE = idOf('storefront', 'ProductPage')
const UNKNOWN = 'f'.repeat(64)

interface Sent {
  readonly statusCode: number
  readonly headers: Record<string, unknown>
  readonly body: { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, any> }[] }
}

async function bearer(stack: Stack, auth?: TokenClaims): Promise<Record<string, string>> {
  return auth ? { authorization: `Bearer ${await signToken(auth, stack.config)}` } : {}
}

async function post(stack: Stack, payload: Record<string, unknown>, auth?: TokenClaims): Promise<Sent> {
  const response = await stack.gateway.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...(await bearer(stack, auth)) },
    payload,
  })
  return { statusCode: response.statusCode, headers: response.headers, body: response.json() }
}

async function get(stack: Stack, params: Record<string, unknown>, auth?: TokenClaims): Promise<Sent> {
  const search = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
  const response = await stack.gateway.inject({ method: 'GET', url: `/graphql?${search}`, headers: await bearer(stack, auth) })
  return { statusCode: response.statusCode, headers: response.headers, body: response.json() }
}

const codeOf = (sent: Sent) => sent.body.errors?.[0]?.extensions?.['code']

describe('trusted documents in enforce mode', () => {
  let stack: Stack
  let parses = 0
  const countParses: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async parsingDidStart() {
          parses++
        },
      }
    },
  }
  before(async () => {
    stack = await startStack({ gatewayConfig: { trustedDocuments: 'enforce', trustedDocumentsAllowStaff: true }, apolloPlugins: [countParses] })
  })
  after(() => stack.close())

  it('runs a storefront operation named by documentId over POST', async () => {
    const sent = await post(stack, { documentId: `sha256:${PRODUCT_PAGE}`, variables: { handle: 'classic-tee-001', currency: 'USD' } })
    assert.equal(sent.statusCode, 200)
    assert.equal(sent.body.errors, undefined, JSON.stringify(sent.body.errors))
    assert.equal(sent.body.data!['product'].title, 'Classic Tee 001')
    assert.equal(sent.body.data!['product'].variants.nodes[0].price.amount.currency, 'USD')
  })

  it('runs it named by extensions.persistedQuery, as Apollo clients send it', async () => {
    const sent = await post(stack, {
      operationName: 'ProductPage',
      variables: { handle: 'classic-tee-001', currency: 'EUR' },
      extensions: { persistedQuery: { version: 1, sha256Hash: PRODUCT_PAGE } },
    })
    assert.equal(sent.body.errors, undefined, JSON.stringify(sent.body.errors))
    assert.equal(sent.body.data!['product'].variants.nodes[0].price.amount.currency, 'EUR')
  })

  it('runs it over GET, by documentId and by extensions', async () => {
    const variables = { handle: 'classic-tee-001', currency: 'USD' }
    for (const params of [{ documentId: PRODUCT_PAGE, variables }, { variables, extensions: { persistedQuery: { version: 1, sha256Hash: PRODUCT_PAGE } } }]) {
      const sent = await get(stack, params)
      assert.equal(sent.statusCode, 200, JSON.stringify(sent.body))
      assert.equal(sent.body.data!['product'].title, 'Classic Tee 001')
    }
  })

  it('parses and validates a persisted operation once, then serves it from the document cache', async () => {
    const variables = { handle: 'classic-tee-002', currency: 'USD' }
    await post(stack, { documentId: PRODUCT_PAGE, variables })
    const before = parses
    await post(stack, { documentId: PRODUCT_PAGE, variables })
    await get(stack, { documentId: PRODUCT_PAGE, variables })
    assert.equal(parses, before)
  })

  it('refuses a free-form query with PERSISTED_QUERY_REQUIRED, over POST and GET', async () => {
    // a well-formed request refused: 200 for an application/json client (no Accept), 400 for application/graphql-response+json (test/clients/)
    for (const sent of [await post(stack, { query: '{ products(first: 1) { nodes { id } } }' }), await get(stack, { query: '{ __typename }' })]) {
      assert.equal(sent.statusCode, 200)
      assert.equal(codeOf(sent), 'PERSISTED_QUERY_REQUIRED')
      assert.equal(sent.body.data, undefined)
    }
  })

  it('refuses automatic persisted query registration', async () => {
    const text = '{ __typename }'
    const { createHash } = await import('node:crypto')
    const sha256Hash = createHash('sha256').update(text).digest('hex')
    const sent = await post(stack, { query: text, extensions: { persistedQuery: { version: 1, sha256Hash } } }, asCustomer('c_1001'))
    assert.equal(sent.statusCode, 200)
    assert.equal(codeOf(sent), 'PERSISTED_QUERY_REQUIRED')
  })

  it('answers an unknown id with PERSISTED_QUERY_NOT_FOUND', async () => {
    for (const sent of [
      await post(stack, { documentId: `sha256:${UNKNOWN}` }),
      await post(stack, { extensions: { persistedQuery: { version: 1, sha256Hash: UNKNOWN } } }),
      await get(stack, { documentId: UNKNOWN }),
    ]) {
      assert.equal(sent.statusCode, 200)
      assert.deepEqual(sent.body, { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] })
    }
  })

  it('refuses an id sent with another body, and malformed ids', async () => {
    const mismatch = await post(stack, { documentId: PRODUCT_PAGE, query: '{ __typename }' })
    assert.equal(mismatch.statusCode, 200)
    assert.equal(codeOf(mismatch), 'PERSISTED_QUERY_HASH_MISMATCH')
    for (const sent of [await post(stack, { documentId: 'sha256:nope' }), await get(stack, { extensions: '{not json' })]) {
      assert.equal(sent.statusCode, 400)
      assert.equal(codeOf(sent), 'BAD_REQUEST')
    }
  })

  it('refuses a persisted mutation over GET with 405', async () => {
    const sent = await get(stack, { documentId: idOf('storefront', 'CartLinesAdd'), variables: { input: {} } }, asCustomer('c_1001'))
    assert.equal(sent.statusCode, 405)
    assert.equal(sent.headers['allow'], 'POST')
  })

  it('lets staff send free-form documents when TRUSTED_DOCUMENTS_ALLOW_STAFF is on', async () => {
    const sent = await post(stack, { query: '{ locations { id } }' }, asStaff)
    assert.equal(sent.statusCode, 200)
    assert.ok(sent.body.data!['locations'].length > 0)
    assert.equal(codeOf(await post(stack, { query: '{ locations { id } }' }, asCustomer('c_1001'))), 'PERSISTED_QUERY_REQUIRED')
  })

  it('runs a whole storefront purchase by ids: cart, cart view, checkout, my orders', async () => {
    const customer = asCustomer('c_1018')
    const added = await post(
      stack,
      { documentId: idOf('storefront', 'CartLinesAdd'), variables: { input: { idempotencyKey: 'td-add-1', currency: 'USD', countryCode: 'US', lines: [{ sku: 'APP-0002-M', quantity: 1 }] } } },
      customer,
    )
    assert.equal(added.body.errors, undefined, JSON.stringify(added.body.errors))
    const cartId = added.body.data!['cartLinesAdd'].cart.id
    const viewed = await post(stack, { documentId: idOf('storefront', 'CartView'), variables: { id: cartId } }, customer)
    const total = viewed.body.data!['cart'].total
    const checkout = await post(
      stack,
      {
        documentId: idOf('storefront', 'CheckoutComplete'),
        variables: { input: { idempotencyKey: 'td-co-1', cartId, paymentMethodToken: 'tok_ok', expectedTotal: { minorUnits: total.minorUnits, currency: total.currency } } },
      },
      customer,
    )
    assert.deepEqual(checkout.body.data!['checkoutComplete'].userErrors, [])
    const number = checkout.body.data!['checkoutComplete'].order.number
    const mine = await get(stack, { documentId: idOf('storefront', 'MyOrders'), variables: { first: 50 } }, customer)
    assert.ok(mine.body.data!['orders'].nodes.some((o: { number: string }) => o.number === number))
    const status = await get(stack, { documentId: idOf('partner', 'OrderStatus'), variables: { number } }, asStaff)
    assert.equal(status.body.data!['order'].number, number)
  })

  it('serves the partner stock query by id', async () => {
    const sent = await get(stack, { documentId: idOf('partner', 'StockLevels'), variables: { filter: { skus: ['APP-0001-M'] } } }, { sub: 'p_1', roles: ['partner'], scopes: ['stock:read'] })
    assert.equal(sent.body.errors, undefined, JSON.stringify(sent.body.errors))
    assert.ok(sent.body.data!['inventoryLevels'].nodes.length > 0)
  })

  describe('over graphql-ws', () => {
    const PARTNER: TokenClaims = { sub: 'p_ws', roles: ['partner'], scopes: ['stock:read'] }
    const connect = async () => {
      const raw = await openRawSocket(await stack.gatewayWsUrl())
      raw.send({ type: 'connection_init', payload: { authorization: `Bearer ${await signToken(PARTNER, stack.config)}` } })
      assert.equal((await raw.nextMessage())['type'], 'connection_ack')
      return raw
    }
    const reply = async (raw: RawSocket, id: string) => {
      for (;;) {
        const message = await raw.nextMessage()
        if (message['id'] === id) return message
      }
    }

    it('runs a storefront operation by documentId and by extensions.persistedQuery', async () => {
      const raw = await connect()
      const variables = { handle: 'classic-tee-001', currency: 'USD' }
      raw.send({ id: 'a', type: 'subscribe', payload: { query: '', documentId: `sha256:${PRODUCT_PAGE}`, variables } })
      const byDocumentId = await reply(raw, 'a')
      assert.equal(byDocumentId['type'], 'next', JSON.stringify(byDocumentId))
      assert.equal(byDocumentId['payload'].data.product.title, 'Classic Tee 001')
      raw.send({ id: 'b', type: 'subscribe', payload: { query: '', variables, extensions: { persistedQuery: { version: 1, sha256Hash: PRODUCT_PAGE } } } })
      assert.equal((await reply(raw, 'b'))['payload'].data.product.title, 'Classic Tee 001')
      raw.close()
    })

    it('streams the partner stock subscription by id', async () => {
      const raw = await connect()
      raw.send({ id: 's', type: 'subscribe', payload: { query: '', documentId: idOf('partner', 'StockChanges'), variables: { filter: { skus: ['APP-0002-M'] } } } })
      await eventually('the subscription to reach inventory', () => stack.subgraphs.inventory.stockFeed?.subscriberCount === 1)
      const { body } = await post(stack, {
        query: `mutation ($input: InventoryAdjustInput!) { inventoryAdjustQuantities(input: $input) { userErrors { code } } }`,
        variables: { input: { idempotencyKey: 'ws-td', reason: 'CORRECTION', changes: [{ sku: 'APP-0002-M', locationId: 'loc_wh_east', name: 'AVAILABLE', delta: -1, changeFromQuantity: null }] } },
      }, asStaff)
      assert.deepEqual(body.data?.['inventoryAdjustQuantities'].userErrors, [])
      const event = await reply(raw, 's')
      assert.equal(event['type'], 'next', JSON.stringify(event))
      assert.equal(event['payload'].data.stockLevelChanged.sku, 'APP-0002-M')
      assert.equal(typeof event['payload'].data.stockLevelChanged.variant.product.title, 'string')
      raw.close()
    })

    it('refuses free-form documents and unknown ids with the same codes as HTTP', async () => {
      const raw = await connect()
      raw.send({ id: 'f', type: 'subscribe', payload: { query: '{ products(first: 1) { nodes { id } } }' } })
      const freeForm = await reply(raw, 'f')
      assert.equal(freeForm['type'], 'error')
      assert.equal(freeForm['payload'][0].extensions.code, 'PERSISTED_QUERY_REQUIRED')
      raw.send({ id: 'u', type: 'subscribe', payload: { query: '', documentId: UNKNOWN } })
      assert.equal((await reply(raw, 'u'))['payload'][0].extensions.code, 'PERSISTED_QUERY_NOT_FOUND')
      raw.close()
    })
  })

  it('counts known and refused requests', async () => {
    const stats = (await stack.gateway.inject({ method: 'GET', url: '/metrics/trusted-documents' })).json()
    assert.equal(stats.mode, 'enforce')
    // every operation of every client's manifest
    assert.equal(stats.operations, manifestOf('storefront').operations.length + manifestOf('partner').operations.length)
    assert.ok(stats.known > 5)
    assert.ok(stats.refused > 5)
    assert.equal(stats.unknown, 0)
  })
})

describe('trusted documents in log mode', () => {
  let stack: Stack
  before(async () => {
    stack = await startStack({ bus: false, gatewayConfig: { trustedDocuments: 'log' } })
  })
  after(() => stack.close())
  const stats = async () => (await stack.gateway.inject({ method: 'GET', url: '/metrics/trusted-documents' })).json()

  it('runs unknown operations and counts them', async () => {
    const before = await stats()
    assert.equal(before.mode, 'log')
    const sent = await post(stack, { query: '{ products(first: 2) { nodes { handle } } }' })
    assert.equal(sent.statusCode, 200)
    assert.equal(sent.body.data!['products'].nodes.length, 2)
    await post(stack, { query: 'query Other { __typename }' })
    const after = await stats()
    assert.equal(after.unknown, before.unknown + 2)
  })

  it('still runs manifest operations by id, and counts them as known', async () => {
    const before = await stats()
    const sent = await post(stack, { documentId: PRODUCT_PAGE, variables: { handle: 'classic-tee-001', currency: 'USD' } })
    assert.equal(sent.body.data!['product'].title, 'Classic Tee 001')
    assert.equal((await stats()).known, before.known + 1)
  })

  it('refuses a free-form mutation over GET with 405', async () => {
    const sent = await get(stack, { query: 'mutation { cartLinesAdd(input: { idempotencyKey: "x", currency: USD, lines: [] }) { cart { id } } }' })
    assert.equal(sent.statusCode, 405)
  })
})
