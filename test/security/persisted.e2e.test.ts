import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import type { InjectOptions } from 'fastify'
import { signToken } from '../../gateway/auth.ts'
import type { PersistedQueryManifest } from '../../contracts/manifest.ts'
import { openRawSocket } from '../../platform/wsTesting.ts'
import { asStaff, type Stack } from '../stack.ts'
import { eventually } from '../../platform/testing.ts'
import { assertAlive, assertNoLeak, assertNoSubgraphCalled, post, refusedCleanly, type Answer } from './attackSupport.ts'
import { defaults, startSecurityStack } from './securityStack.ts'

const manifest = (client: string) => JSON.parse(readFileSync(`operations/${client}/manifest.json`, 'utf8')) as PersistedQueryManifest
const operation = (client: string, name: string) => {
  const found = manifest(client).operations.find((o) => o.name === name)
  assert.ok(found, `${client} has no operation ${name}`)
  return found
}
const PRODUCT_PAGE = operation('storefront', 'ProductPage')
const CART_LINES_ADD = operation('storefront', 'CartLinesAdd')
const STOCK_CHANGES = operation('partner', 'StockChanges')
const UNKNOWN = createHash('sha256').update('{ orders(first: 100) { nodes { customerId } } }').digest('hex')
const FREE_FORM = '{ products(first: 1) { nodes { id } } }'

describe('persisted operations with TRUSTED_DOCUMENTS=enforce (attack suite)', () => {
  let stack: Stack
  before(async () => {
    stack = await startSecurityStack({
      gatewayConfig: { trustedDocuments: 'enforce', rateLimit: { ...defaults.rateLimit, enabled: false }, anomaly: { ...defaults.anomaly, enabled: false } },
    })
  })
  after(() => stack.close())

  const get = (params: Record<string, unknown>, headers: Record<string, string> = {}): InjectOptions => ({
    method: 'GET',
    url: `/graphql?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]))}`,
    headers,
  })

  const refused = (request: InjectOptions | (() => Promise<Answer>), status: number, code: string) => refusedCleanly(stack, request, status, code)
  /**
   * The refusal of a well-formed request, made with these extra headers: 400 for a client asking
   * for application/graphql-response+json (Apollo Client 4, urql), 200 for a legacy
   * application/json one (it reads no other status); the same code either way.
   */
  const refusedRequest = async (make: (headers: Record<string, string>) => InjectOptions | (() => Promise<Answer>), code: string) => {
    await refused(make({ accept: 'application/graphql-response+json' }), 400, code)
    return refused(make({}), 200, code)
  }

  it('runs a manifest operation by id (the control)', async () => {
    stack.resetCounters()
    const answer = await post(stack, { documentId: `sha256:${PRODUCT_PAGE.id}`, variables: { handle: 'classic-tee-001', currency: 'USD' } })
    assert.equal(answer.status, 200, answer.raw)
    assert.equal(answer.body?.data?.['product'].handle, 'classic-tee-001')
    assert.ok(stack.subgraphCalls().catalog > 0)
  })

  it('refuses a free-form document with PERSISTED_QUERY_REQUIRED, over POST and GET, for staff too', async () => {
    await refusedRequest((headers) => () => post(stack, { query: FREE_FORM }, headers), 'PERSISTED_QUERY_REQUIRED')
    await refusedRequest((headers) => get({ query: FREE_FORM }, headers), 'PERSISTED_QUERY_REQUIRED')
    const staff = `Bearer ${await signToken(asStaff, stack.config)}`
    await refusedRequest((headers) => () => post(stack, { query: FREE_FORM }, { authorization: staff, ...headers }), 'PERSISTED_QUERY_REQUIRED')
  })

  it('refuses automatic persisted query registration (a new document with its own hash) with PERSISTED_QUERY_REQUIRED', async () => {
    const sha256Hash = createHash('sha256').update(FREE_FORM).digest('hex')
    await refusedRequest((headers) => () => post(stack, { query: FREE_FORM, extensions: { persistedQuery: { version: 1, sha256Hash } } }, headers), 'PERSISTED_QUERY_REQUIRED')
  })

  it('answers an unknown id with PERSISTED_QUERY_NOT_FOUND, by documentId and by extensions, over POST and GET', async () => {
    await refusedRequest((headers) => () => post(stack, { documentId: `sha256:${UNKNOWN}` }, headers), 'PERSISTED_QUERY_NOT_FOUND')
    await refusedRequest((headers) => () => post(stack, { extensions: { persistedQuery: { version: 1, sha256Hash: UNKNOWN } } }, headers), 'PERSISTED_QUERY_NOT_FOUND')
    await refusedRequest((headers) => get({ documentId: UNKNOWN }, headers), 'PERSISTED_QUERY_NOT_FOUND')
  })

  it('refuses a known id sent with another body with PERSISTED_QUERY_HASH_MISMATCH', async () => {
    const other = '{ orders(first: 100) { nodes { id customerId total { minorUnits } } } }'
    await refusedRequest((headers) => () => post(stack, { documentId: `sha256:${PRODUCT_PAGE.id}`, query: other }, headers), 'PERSISTED_QUERY_HASH_MISMATCH')
    await refusedRequest((headers) => () => post(stack, { query: other, extensions: { persistedQuery: { version: 1, sha256Hash: PRODUCT_PAGE.id } } }, headers), 'PERSISTED_QUERY_HASH_MISMATCH')
    // the manifest body with one character more is another document
    await refusedRequest((headers) => () => post(stack, { documentId: PRODUCT_PAGE.id, query: `${PRODUCT_PAGE.body} ` }, headers), 'PERSISTED_QUERY_HASH_MISMATCH')
  })

  it('refuses ids with path traversal with BAD_REQUEST', async () => {
    for (const id of ['../../../../etc/passwd', 'sha256:../storefront/manifest.json', `sha256:${PRODUCT_PAGE.id}/../../${UNKNOWN}`, '..%2F..%2Fmanifest.json', 'storefront/ProductPage']) {
      await refused(() => post(stack, { documentId: id }), 400, 'BAD_REQUEST')
      await refused(() => post(stack, { extensions: { persistedQuery: { version: 1, sha256Hash: id } } }), 400, 'BAD_REQUEST')
    }
  })

  it('refuses a 10 KB id with BAD_REQUEST, without echoing it', async () => {
    const id = `sha256:${'a'.repeat(10 * 1024)}`
    for (const answer of [
      await refused(() => post(stack, { documentId: id }), 400, 'BAD_REQUEST'),
      await refused(get({ documentId: id }), 400, 'BAD_REQUEST'),
      await refused(() => post(stack, { extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(10 * 1024) } } }), 400, 'BAD_REQUEST'),
    ]) {
      assert.ok(answer.raw.length < 1024, `the answer is ${answer.raw.length} bytes`)
    }
  })

  it('refuses malformed extensions.persistedQuery (a non-string hash, another version, not an object) with BAD_REQUEST', async () => {
    for (const persistedQuery of [
      { version: 1, sha256Hash: 12345 },
      { version: 1, sha256Hash: { $ne: null } },
      { version: 1, sha256Hash: [PRODUCT_PAGE.id] },
      { version: 1, sha256Hash: null },
      { version: 1 },
      { version: 1, sha256Hash: PRODUCT_PAGE.id.toUpperCase() },
      { version: 2, sha256Hash: PRODUCT_PAGE.id },
      { version: '1', sha256Hash: PRODUCT_PAGE.id },
      'ProductPage',
      null,
    ]) {
      await refused(() => post(stack, { extensions: { persistedQuery } }), 400, 'BAD_REQUEST')
    }
    for (const documentId of [12345, { id: PRODUCT_PAGE.id }, [PRODUCT_PAGE.id], '', `md5:${PRODUCT_PAGE.id}`]) {
      await refused(() => post(stack, { documentId }), 400, 'BAD_REQUEST')
    }
    // two ids naming different documents
    await refused(() => post(stack, { documentId: PRODUCT_PAGE.id, extensions: { persistedQuery: { version: 1, sha256Hash: CART_LINES_ADD.id } } }), 400, 'BAD_REQUEST')
  })

  it('refuses a persisted mutation over GET with 405 BAD_REQUEST', async () => {
    const answer = await refused(get({ documentId: CART_LINES_ADD.id, variables: { input: { idempotencyKey: 'get-1', currency: 'USD', lines: [] } } }), 405, 'BAD_REQUEST')
    assert.equal(answer.headers['allow'], 'POST')
  })

  it('refuses a batch of persisted ids with BAD_REQUEST', async () => {
    await refused(() => post(stack, [{ documentId: PRODUCT_PAGE.id }, { documentId: PRODUCT_PAGE.id }]), 400, 'BAD_REQUEST')
  })

  it('refuses a free-form subscription over graphql-ws with PERSISTED_QUERY_REQUIRED, opening no upstream', async () => {
    const token = await signToken({ sub: 'partner_1', roles: ['partner'], scopes: ['stock:read'] }, stack.config)
    const socket = await openRawSocket(await stack.gatewayWsUrl())
    try {
      socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })
      assert.deepEqual(await socket.nextMessage(), { type: 'connection_ack' })
      stack.resetCounters()
      // the body of the reviewed operation, minus its comments: another document
      socket.send({ id: '1', type: 'subscribe', payload: { query: 'subscription { stockLevelChanged(filter: { locationIds: ["loc_wh_east"] }) { sku changes { name after } } }' } })
      const refusal = await socket.nextMessage()
      assert.equal(refusal['type'], 'error', JSON.stringify(refusal))
      assert.equal(refusal['payload'][0].extensions.code, 'PERSISTED_QUERY_REQUIRED')
      socket.send({ id: '2', type: 'subscribe', payload: { query: '', documentId: `sha256:${UNKNOWN}` } })
      const unknown = await socket.nextMessage()
      assert.equal(unknown['payload'][0].extensions.code, 'PERSISTED_QUERY_NOT_FOUND')
      assertNoLeak(stack, JSON.stringify(socket.messages))
      assertNoSubgraphCalled(stack)
      // the reviewed operation by id is served on the same socket (the control)
      socket.send({ id: '3', type: 'subscribe', payload: { query: '', documentId: `sha256:${STOCK_CHANGES.id}`, variables: { filter: { skus: ['APP-0001-M'] } } } })
      await eventually('the control subscription reaches inventory', () => stack.subgraphs.inventory.stockFeed?.subscriberCount === 1)
      assert.equal(socket.messages.filter((m) => m['id'] === '3' && m['type'] === 'error').length, 0, JSON.stringify(socket.messages))
    } finally {
      socket.close()
    }
    await assertAlive(stack)
  })
})
