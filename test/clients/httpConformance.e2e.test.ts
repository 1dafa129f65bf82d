/**
 * GraphQL over HTTP at the gateway, as clients meet it over a real socket: which media type and
 * status each kind of answer gets under each Accept header, and which GETs and POSTs run (CSRF).
 * Apollo Client 4's HttpLink sends `application/graphql-response+json,application/json;q=0.9` and
 * reads the body of any status in that type, but treats a non-2xx `application/json` answer as a
 * network error; urql reads any JSON body. Hence: the new type gets 4xx for request errors, the
 * legacy type 200 for well-formed requests, and both carry `extensions.code`.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import type { PersistedQueryManifest } from '../../contracts/manifest.ts'
import { signToken } from '../../gateway/auth.ts'
import type { Config } from '../../platform/config.ts'
import { startStack, type Stack } from '../stack.ts'

/** What Apollo Client 4's HttpLink asks for; urql's header also puts the new type first. */
const APOLLO_CLIENT_ACCEPT = 'application/graphql-response+json,application/json;q=0.9'
const URQL_ACCEPT = 'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed'
const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json; charset=utf-8'
const APPLICATION_JSON = 'application/json; charset=utf-8'

const manifest = JSON.parse(readFileSync('operations/storefront/manifest.json', 'utf8')) as PersistedQueryManifest
const operation = (name: string) => {
  const found = manifest.operations.find((o) => o.name === name)
  assert.ok(found, `the storefront manifest has no ${name}`)
  return found
}
const PRODUCT_PAGE = operation('ProductPage')
const CART_LINES_ADD = operation('CartLinesAdd')
const UNKNOWN_ID = 'f'.repeat(64)
const MUTATION = 'mutation { cartLinesAdd(input: { idempotencyKey: "http-conformance", currency: USD, lines: [{ sku: "APP-0001-M", quantity: 1 }] }) { cart { id } } }'

interface Answer {
  readonly status: number
  readonly contentType: string | null
  readonly headers: Headers
  readonly body: { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, any> }[] }
}

interface Call {
  readonly method?: 'GET' | 'POST'
  /** POST: the JSON body (an object) or the raw text; GET: the query string's parameters. */
  readonly params?: Record<string, unknown> | string
  readonly accept?: string
  readonly headers?: Record<string, string>
}

async function listening(gatewayConfig: Partial<Config>): Promise<{ stack: Stack; call: (call: Call) => Promise<Answer> }> {
  const stack = await startStack({ bus: false, gatewayConfig })
  await stack.gateway.listen({ host: '127.0.0.1', port: 0 })
  const address = stack.gateway.server.address()
  if (!address || typeof address === 'string') throw new Error('no port')
  const url = `http://127.0.0.1:${address.port}/graphql`
  const call = async ({ method = 'POST', params = {}, accept, headers = {} }: Call): Promise<Answer> => {
    const search = typeof params === 'string' ? '' : new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString()
    const response = await fetch(method === 'GET' ? `${url}?${search}` : url, {
      method,
      headers: { ...(method === 'POST' ? { 'content-type': 'application/json' } : {}), ...(accept ? { accept } : {}), ...headers },
      ...(method === 'POST' ? { body: typeof params === 'string' ? params : JSON.stringify(params) } : {}),
    })
    const text = await response.text()
    return { status: response.status, contentType: response.headers.get('content-type'), headers: response.headers, body: JSON.parse(text) as Answer['body'] }
  }
  return { stack, call }
}

/** A request error: this status, this media type, this code first, and no `data` entry. */
function assertRequestError(answer: Answer, status: number, contentType: string, code: string): void {
  const seen = JSON.stringify([answer.status, answer.contentType, answer.body])
  assert.equal(answer.status, status, seen)
  assert.equal(answer.contentType, contentType, seen)
  assert.equal(answer.body.errors?.[0]?.extensions?.['code'], code, seen)
  assert.equal('data' in answer.body, false, seen)
}

/** Each case under both media types: 4xx with the new one, 200 with the legacy one (or no Accept). */
async function bothMediaTypes(call: (call: Call) => Promise<Answer>, request: Call, graphqlResponseStatus: number, code: string): Promise<void> {
  assertRequestError(await call({ ...request, accept: APOLLO_CLIENT_ACCEPT }), graphqlResponseStatus, GRAPHQL_RESPONSE_JSON, code)
  assertRequestError(await call({ ...request, accept: URQL_ACCEPT }), graphqlResponseStatus, GRAPHQL_RESPONSE_JSON, code)
  assertRequestError(await call({ ...request, accept: 'application/json' }), 200, APPLICATION_JSON, code)
  assertRequestError(await call(request), 200, APPLICATION_JSON, code)
}

describe('GraphQL over HTTP: media types and status codes (TRUSTED_DOCUMENTS=log)', () => {
  let stack: Stack
  let call: (call: Call) => Promise<Answer>
  before(async () => {
    ;({ stack, call } = await listening({}))
  })
  after(() => stack.close())

  it('answers in the media type the Accept header prefers: the new one first for Apollo Client and urql, JSON for */* or none', async () => {
    for (const [accept, contentType] of [
      [APOLLO_CLIENT_ACCEPT, GRAPHQL_RESPONSE_JSON],
      [URQL_ACCEPT, GRAPHQL_RESPONSE_JSON],
      ['application/graphql-response+json', GRAPHQL_RESPONSE_JSON],
      ['application/json, application/graphql-response+json;q=0.5', APPLICATION_JSON],
      ['application/json', APPLICATION_JSON],
      ['*/*', APPLICATION_JSON],
      [undefined, APPLICATION_JSON],
    ] as const) {
      const answer = await call({ params: { query: '{ __typename }' }, ...(accept ? { accept } : {}) })
      assert.deepEqual([answer.status, answer.contentType, answer.body], [200, contentType, { data: { __typename: 'Query' } }], accept)
    }
  })

  it('refuses a POST whose Accept names neither type with 406, before it runs', async () => {
    stack.resetCounters()
    const answer = await call({ params: { query: MUTATION }, accept: 'text/csv' })
    assertRequestError(answer, 406, APPLICATION_JSON, 'BAD_REQUEST')
    assert.equal(stack.subgraphCalls().orders, 0)
  })

  it('answers a parse error 400 in the new type and 200 in JSON', async () => {
    await bothMediaTypes(call, { params: { query: '{' } }, 400, 'GRAPHQL_PARSE_FAILED')
  })

  it('answers a validation error 400 in the new type and 200 in JSON', async () => {
    await bothMediaTypes(call, { params: { query: '{ noSuchField }' } }, 400, 'GRAPHQL_VALIDATION_FAILED')
  })

  it('answers a variable coercion error 400 in the new type and 200 in JSON', async () => {
    await bothMediaTypes(call, { params: { query: 'query ($handle: String!) { product(handle: $handle) { id } }', variables: { handle: null } } }, 400, 'BAD_USER_INPUT')
  })

  it('answers an operation limit refusal 400 in the new type and 200 in JSON', async () => {
    const aliases = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: __typename`).join(' ')} }`
    await bothMediaTypes(call, { params: { query: aliases } }, 400, 'MAX_ALIASES_EXCEEDED')
  })

  it('answers an operation an anonymous viewer may not run 401 in the new type and 200 in JSON', async () => {
    await bothMediaTypes(call, { params: { query: '{ orders(first: 1) { nodes { id } } }' } }, 401, 'UNAUTHENTICATED')
    const customer = await signToken({ sub: 'c_1001', roles: ['customer'] }, stack.config)
    const stockLevels = '{ inventoryLevels(filter: { skus: ["APP-0001-M"] }, first: 1) { nodes { id } } }'
    await bothMediaTypes(call, { params: { query: stockLevels }, headers: { authorization: `Bearer ${customer}` } }, 403, 'FORBIDDEN')
  })

  it('answers trusted-document refusals 400 in the new type and 200 in JSON, uncached', async () => {
    await bothMediaTypes(call, { params: { documentId: `sha256:${UNKNOWN_ID}` } }, 400, 'PERSISTED_QUERY_NOT_FOUND')
    await bothMediaTypes(call, { params: { extensions: { persistedQuery: { version: 1, sha256Hash: UNKNOWN_ID } } } }, 400, 'PERSISTED_QUERY_NOT_FOUND')
    await bothMediaTypes(call, { params: { documentId: PRODUCT_PAGE.id, query: '{ __typename }' } }, 400, 'PERSISTED_QUERY_HASH_MISMATCH')
    const answer = await call({ params: { documentId: UNKNOWN_ID }, accept: APOLLO_CLIENT_ACCEPT })
    assert.equal(answer.headers.get('cache-control'), 'private, no-cache, must-revalidate')
  })

  it('keeps the HTTP status of refusals about HTTP itself under both types: 401 for a bad token', async () => {
    for (const [accept, contentType] of [[APOLLO_CLIENT_ACCEPT, GRAPHQL_RESPONSE_JSON], ['application/json', APPLICATION_JSON]] as const) {
      assertRequestError(await call({ params: { query: '{ __typename }' }, accept, headers: { authorization: 'Bearer not.a.jwt' } }), 401, contentType, 'UNAUTHENTICATED')
    }
  })

  it('answers a malformed request 400 BAD_REQUEST under both types', async () => {
    for (const accept of [APOLLO_CLIENT_ACCEPT, 'application/json']) {
      for (const params of [{ query: '{ __typename }', variables: [1] }, { query: '{ __typename }', operationName: 5 }, { query: '{ __typename }', extensions: 'x' }, { documentId: 'nope' }]) {
        const answer = await call({ params, accept })
        assert.equal(answer.status, 400, JSON.stringify([params, answer.body]))
        assert.equal(answer.body.errors?.[0]?.extensions?.['code'], 'BAD_REQUEST')
      }
    }
  })

  it('accepts null variables, operationName and extensions, by text and by id', async () => {
    const nulls = { variables: null, operationName: null, extensions: null }
    for (const accept of [APOLLO_CLIENT_ACCEPT, 'application/json']) {
      const text = await call({ params: { query: '{ __typename }', ...nulls }, accept })
      assert.deepEqual([text.status, text.body], [200, { data: { __typename: 'Query' } }])
      const byId = await call({ params: { documentId: PRODUCT_PAGE.id, ...nulls, variables: { handle: 'classic-tee-001', currency: 'USD' } }, accept })
      assert.equal(byId.body.data?.['product']?.handle, 'classic-tee-001', JSON.stringify(byId.body))
      const allNull = await call({ params: { documentId: PRODUCT_PAGE.id, query: null, operationName: null, extensions: null, variables: { handle: 'classic-tee-001', currency: 'USD' } }, accept })
      assert.equal(allNull.body.data?.['product']?.handle, 'classic-tee-001', JSON.stringify(allNull.body))
    }
  })
})

describe('GraphQL over HTTP: GET and CSRF (TRUSTED_DOCUMENTS=log)', () => {
  let stack: Stack
  let call: (call: Call) => Promise<Answer>
  /** A customer's credentials on the refused requests: what refuses them is the transport rule, not the viewer. */
  let customer: Record<string, string>
  before(async () => {
    ;({ stack, call } = await listening({}))
    customer = { authorization: `Bearer ${await signToken({ sub: 'c_1001', roles: ['customer'] }, stack.config)}` }
  })
  after(() => stack.close())

  it('runs a query over GET as urql and Apollo Client send it, with no preflight header', async () => {
    // urql: no content type; Apollo Client: content-type application/json on GETs too
    for (const headers of [{}, { 'content-type': 'application/json' }]) {
      const answer = await call({ method: 'GET', params: { query: 'query Probe { products(first: 1) { nodes { id } } }', operationName: 'Probe' }, accept: URQL_ACCEPT, headers })
      assert.equal(answer.status, 200, JSON.stringify(answer.body))
      assert.equal(answer.contentType, GRAPHQL_RESPONSE_JSON)
      assert.equal(answer.body.data?.['products'].nodes.length, 1)
    }
  })

  it('refuses a mutation over GET with 405 and Allow: POST, with or without a preflight header, and runs nothing', async () => {
    for (const accept of [APOLLO_CLIENT_ACCEPT, 'application/json', undefined]) {
      for (const headers of [customer, { ...customer, 'apollo-require-preflight': 'true' }]) {
        stack.resetCounters()
        const answer = await call({ method: 'GET', params: { query: MUTATION }, headers, ...(accept ? { accept } : {}) })
        assertRequestError(answer, 405, accept === APOLLO_CLIENT_ACCEPT ? GRAPHQL_RESPONSE_JSON : APPLICATION_JSON, 'BAD_REQUEST')
        assert.equal(answer.headers.get('allow'), 'POST')
        assert.equal(stack.subgraphCalls().orders, 0)
      }
    }
  })

  it('refuses a POST a cross-site form could send (text/plain) with 400, preflight header or not, and runs nothing', async () => {
    for (const headers of [{ ...customer, 'content-type': 'text/plain' }, { ...customer, 'content-type': 'text/plain;charset=UTF-8', 'apollo-require-preflight': 'true' }]) {
      for (const accept of [APOLLO_CLIENT_ACCEPT, undefined]) {
        stack.resetCounters()
        const answer = await call({ params: { query: MUTATION }, headers, ...(accept ? { accept } : {}) })
        assertRequestError(answer, 400, accept ? GRAPHQL_RESPONSE_JSON : APPLICATION_JSON, 'BAD_REQUEST')
        assert.match(answer.body.errors![0]!.message, /Cross-Site Request Forgery/)
        assert.equal(stack.subgraphCalls().orders, 0)
      }
    }
  })

  it('answers a body that is not JSON with 400 BAD_REQUEST, in the media type the client accepts', async () => {
    for (const [accept, contentType] of [[APOLLO_CLIENT_ACCEPT, GRAPHQL_RESPONSE_JSON], [URQL_ACCEPT, GRAPHQL_RESPONSE_JSON], ['application/json', APPLICATION_JSON], [undefined, APPLICATION_JSON]] as const) {
      assertRequestError(await call({ params: '{"query": ', ...(accept ? { accept } : {}) }), 400, contentType, 'BAD_REQUEST')
    }
  })

  it('refuses form-encoded and multipart POSTs with 415, and runs nothing', async () => {
    stack.resetCounters()
    for (const [contentType, body] of [
      ['application/x-www-form-urlencoded', `query=${encodeURIComponent(MUTATION)}`],
      ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n${MUTATION}\r\n--x--\r\n`],
    ] as const) {
      const answer = await call({ params: body, headers: { ...customer, 'content-type': contentType } })
      assert.equal(answer.status, 415, JSON.stringify(answer.body))
      assert.equal(answer.body.errors?.[0]?.extensions?.['code'], 'BAD_REQUEST')
    }
    assert.equal(stack.subgraphCalls().orders, 0)
  })

  it('serves the mutation itself over POST with application/json (the control)', async () => {
    stack.resetCounters()
    const answer = await call({ params: { query: MUTATION }, accept: APOLLO_CLIENT_ACCEPT, headers: customer })
    assert.equal(answer.status, 200, JSON.stringify(answer.body))
    assert.ok(answer.body.data?.['cartLinesAdd'].cart.id)
    assert.ok(stack.subgraphCalls().orders > 0, 'the subgraph the refused requests never reached')
  })

  it('has no CORS policy: OPTIONS is refused with 405 and grants no origin', async () => {
    const response = await fetch(`http://127.0.0.1:${(stack.gateway.server.address() as { port: number }).port}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    })
    await response.text()
    assert.equal(response.status, 405)
    assert.equal(response.headers.get('access-control-allow-origin'), null)
  })
})

describe('GraphQL over HTTP: persisted operations (TRUSTED_DOCUMENTS=enforce)', () => {
  let stack: Stack
  let call: (call: Call) => Promise<Answer>
  before(async () => {
    ;({ stack, call } = await listening({ trustedDocuments: 'enforce' }))
  })
  after(() => stack.close())

  it('answers a free-form document PERSISTED_QUERY_REQUIRED: 400 in the new type, 200 in JSON', async () => {
    await bothMediaTypes(call, { params: { query: '{ __typename }' } }, 400, 'PERSISTED_QUERY_REQUIRED')
    await bothMediaTypes(call, { method: 'GET', params: { query: '{ __typename }' } }, 400, 'PERSISTED_QUERY_REQUIRED')
  })

  it('runs a persisted query over GET by id with no preflight header (what a CDN can cache), by documentId and by extensions', async () => {
    const variables = { handle: 'classic-tee-001', currency: 'USD' }
    for (const params of [
      { documentId: `sha256:${PRODUCT_PAGE.id}`, variables },
      { operationName: 'ProductPage', variables, extensions: { persistedQuery: { version: 1, sha256Hash: PRODUCT_PAGE.id } } },
    ]) {
      const answer = await call({ method: 'GET', params, accept: APOLLO_CLIENT_ACCEPT })
      assert.equal(answer.status, 200, JSON.stringify(answer.body))
      assert.equal(answer.body.data?.['product'].handle, 'classic-tee-001')
    }
  })

  it('refuses a persisted mutation over GET with 405 under both types', async () => {
    for (const [accept, contentType] of [[APOLLO_CLIENT_ACCEPT, GRAPHQL_RESPONSE_JSON], ['application/json', APPLICATION_JSON]] as const) {
      stack.resetCounters()
      const answer = await call({ method: 'GET', params: { documentId: CART_LINES_ADD.id, variables: { input: { idempotencyKey: 'get', currency: 'USD', lines: [] } } }, accept })
      assertRequestError(answer, 405, contentType, 'BAD_REQUEST')
      assert.equal(answer.headers.get('allow'), 'POST')
      assert.equal(stack.subgraphCalls().orders, 0)
    }
  })
})
