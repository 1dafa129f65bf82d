import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { InjectOptions } from 'fastify'
import type { Stack } from '../stack.ts'
import { assertAlive, assertNoLeak, assertNoSubgraphCalled, codeOf, post, refusedCleanly, send, type Answer } from './attackSupport.ts'
import { defaults, startSecurityStack } from './securityStack.ts'

const BY_HANDLE = 'query ($handle: String!) { product(handle: $handle) { id title } }'
const PROBE = '{ products(first: 1) { nodes { id } } }'
const MUTATION = 'mutation { cartLinesAdd(input: { idempotencyKey: "csrf-1", currency: USD, lines: [{ sku: "APP-0001-M", quantity: 1 }] }) { cart { id } } }'
/** `{"a":{"a":…1…}}`, `levels` deep, written out as text: JSON.stringify would overflow first. */
const nestedJson = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`

describe('transport-level attacks on the gateway (attack suite)', () => {
  let stack: Stack
  before(async () => {
    stack = await startSecurityStack({ gatewayConfig: { rateLimit: { ...defaults.rateLimit, enabled: false }, anomaly: { ...defaults.anomaly, enabled: false } } })
  })
  after(() => stack.close())

  const refused = (request: InjectOptions | (() => Promise<Answer>), status: number, code: string) => refusedCleanly(stack, request, status, code)
  /**
   * A request error of a well-formed request (parse, validation, variable coercion), posted with
   * this body: 400 for a client asking for application/graphql-response+json, 200 for a legacy
   * application/json one (it reads no other status); the same code either way.
   */
  const refusedRequest = async (body: unknown, code: string): Promise<Answer> => {
    await refused(() => post(stack, body, { accept: 'application/graphql-response+json' }), 400, code)
    return refused(() => post(stack, body), 200, code)
  }

  /** Served (or refused with a client code), never a 5xx, never INTERNAL_SERVER_ERROR, nothing leaked. */
  async function servedCleanly(answer: Answer): Promise<Answer> {
    assert.ok(answer.body, `not JSON: ${answer.status} ${answer.raw.slice(0, 300)}`)
    assert.ok(answer.status < 500, `status ${answer.status}: ${answer.raw.slice(0, 300)}`)
    for (const error of answer.body.errors ?? []) assert.notEqual(error.extensions?.['code'], 'INTERNAL_SERVER_ERROR', answer.raw.slice(0, 500))
    assertNoLeak(stack, answer.raw)
    await assertAlive(stack)
    return answer
  }

  it('answers a 1 MB string variable (under the body limit) cleanly, as a missing product', async () => {
    const answer = await servedCleanly(await post(stack, { query: BY_HANDLE, variables: { handle: 'h'.repeat(1_000_000) } }))
    assert.equal(answer.status, 200)
    assert.deepEqual(answer.body, { data: { product: null } })
    // and unused: a megabyte the operation never reads
    const unused = await servedCleanly(await post(stack, { query: '{ __typename }', variables: { pad: 'p'.repeat(1_000_000) } }))
    assert.deepEqual(unused.body, { data: { __typename: 'Query' } })
  })

  it('survives variables nested 10,000 levels deep that no argument reads', async () => {
    stack.resetCounters()
    const answer = await servedCleanly(await post(stack, `{"query":"{ __typename }","variables":{"deep":${nestedJson(10_000)}},"extensions":{"deep":${nestedJson(10_000)}}}`))
    assert.deepEqual(answer.body, { data: { __typename: 'Query' } })
    assertNoSubgraphCalled(stack)
  })

  it('refuses variables nested 10,000 levels deep for an input object with BAD_USER_INPUT, not a 500', async () => {
    const body = `{"query":"query ($f: ProductFilter) { products(first: 1, filter: $f) { nodes { id } } }","variables":{"f":{"query":${nestedJson(10_000)}}}}`
    await refusedRequest(body, 'BAD_USER_INPUT')
  })

  it('answers a 500 KB string argument written into the document cleanly', async () => {
    const answer = await servedCleanly(await post(stack, { query: `{ product(handle: "${'y'.repeat(500_000)}") { id } }` }))
    assert.deepEqual(answer.body, { data: { product: null } })
  })

  it('refuses a field name with a zero-width space as a syntax error, before any subgraph', async () => {
    // GraphQL names are ASCII (https://spec.graphql.org/October2021/#Name): U+200B is no letter, so the lexer stops
    const answer = await refusedRequest({ query: '{ pro\u200Bducts(first: 1) { nodes { id } } }' }, 'GRAPHQL_PARSE_FAILED')
    assert.match(answer.body!.errors![0]!.message, /U\+200B/)
  })

  it('refuses a field name with a Cyrillic homoglyph as a syntax error, and never matches a homoglyph handle to the real one', async () => {
    await refusedRequest({ query: '{ pr\u043Educts(first: 1) { nodes { id } } }' }, 'GRAPHQL_PARSE_FAILED')
    const real = await post(stack, { query: BY_HANDLE, variables: { handle: 'classic-tee-001' } })
    assert.ok(real.body?.data?.['product'], real.raw)
    const lookalike = await servedCleanly(await post(stack, { query: BY_HANDLE, variables: { handle: '\u0441lassic-tee-001' } }))
    assert.deepEqual(lookalike.body, { data: { product: null } })
  })

  it('answers a string argument with a right-to-left override cleanly', async () => {
    for (const handle of ['classic\u202Eeet-001', '\u202Dclassic-tee-001\u202C', '\uFEFFclassic-tee-001']) {
      const answer = await servedCleanly(await post(stack, { query: BY_HANDLE, variables: { handle } }))
      assert.deepEqual(answer.body, { data: { product: null } })
    }
  })

  it('answers a string argument with a NUL character like any unknown value, not as an internal error', async () => {
    // PostgreSQL text cannot hold U+0000: no stored handle has one, so the answer is "no such product"
    // (or a refusal of the argument), never the database's failure
    for (const request of [
      () => post(stack, { query: BY_HANDLE, variables: { handle: 'classic-tee-001\u0000' } }),
      () => post(stack, { query: '{ product(handle: "classic\\u0000tee") { id } }' }),
    ]) {
      const answer = await servedCleanly(await request())
      if (answer.body?.errors) assert.equal(codeOf(answer), 'BAD_USER_INPUT', answer.raw)
      else assert.deepEqual(answer.body, { data: { product: null } })
    }
  })

  it('refuses a batched request (a JSON array body) with BAD_REQUEST', async () => {
    const answer = await refused(() => post(stack, [{ query: PROBE }, { query: PROBE }]), 400, 'BAD_REQUEST')
    assert.match(answer.body!.errors![0]!.message, /batching/i)
    await refused(() => post(stack, '[]'), 400, 'BAD_REQUEST')
  })

  it('refuses malformed request shapes with BAD_REQUEST: scalar bodies, a non-string query, non-object variables', async () => {
    for (const body of ['null', 'true', '123', '"{ __typename }"', '{}', '{"query": 5}', '{"query":"{ __typename }","variables":"{}"}', '{"query":"{ __typename }","variables":[1]}', '{"query":"{ __typename }","operationName":5}', '{"query":"{ __typename }","extensions":"x"}']) {
      await refused(() => post(stack, body), 400, 'BAD_REQUEST')
    }
  })

  it('refuses a mutation over GET with 405 BAD_REQUEST, with or without the preflight header', async () => {
    for (const headers of [{}, { 'apollo-require-preflight': 'true' }]) {
      const answer = await refused({ method: 'GET', url: `/graphql?query=${encodeURIComponent(MUTATION)}`, headers }, 405, 'BAD_REQUEST')
      assert.equal(answer.headers['allow'], 'POST')
    }
  })

  it('refuses a simple-request POST a browser form could send (text/plain) with 400 BAD_REQUEST (CSRF prevention)', async () => {
    for (const document of [PROBE, MUTATION]) {
      const answer = await refused({ method: 'POST', headers: { 'content-type': 'text/plain' }, payload: JSON.stringify({ query: document }) }, 400, 'BAD_REQUEST')
      assert.match(answer.body!.errors![0]!.message, /Cross-Site Request Forgery/)
    }
    // the preflight header does not make text/plain a GraphQL body
    await refused({ method: 'POST', headers: { 'content-type': 'text/plain', 'apollo-require-preflight': 'true' }, payload: JSON.stringify({ query: MUTATION }) }, 400, 'BAD_REQUEST')
  })

  it('refuses form-encoded and multipart POSTs with 415 BAD_REQUEST', async () => {
    await refused({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `query=${encodeURIComponent(MUTATION)}` }, 415, 'BAD_REQUEST')
    await refused(
      { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload: `--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n${MUTATION}\r\n--x--\r\n` },
      415,
      'BAD_REQUEST',
    )
  })

  it('serves a query over GET with or without a preflight header (a query has no side effects; a mutation is refused above)', async () => {
    const url = `/graphql?query=${encodeURIComponent(PROBE)}`
    for (const headers of [{}, { 'apollo-require-preflight': 'true' }]) {
      const answer = await servedCleanly(await send(stack, { method: 'GET', url, headers }))
      assert.equal(answer.status, 200)
      assert.equal(answer.body?.data?.['products'].nodes.length, 1)
    }
  })

  it('refuses unsupported content types with 415 BAD_REQUEST', async () => {
    for (const contentType of ['application/xml', 'application/graphql', 'application/graphql-response+json', 'image/png', undefined]) {
      await refused({ method: 'POST', headers: contentType ? { 'content-type': contentType } : {}, payload: `{"query":"${PROBE}"}` }, 415, 'BAD_REQUEST')
    }
  })

  it('refuses other HTTP methods on /graphql with a GraphQL error and a code', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH'] as const) {
      stack.resetCounters()
      const answer = await send(stack, { method, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ query: PROBE }) })
      assert.ok(answer.status === 404 || answer.status === 405, `${method}: ${answer.status}`)
      assert.equal(codeOf(answer), 'BAD_REQUEST', `${method} answered ${answer.status} ${answer.raw}`)
      assertNoSubgraphCalled(stack)
    }
    await assertAlive(stack)
  })
})
