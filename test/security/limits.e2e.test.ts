import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { getIntrospectionQuery } from 'graphql'
import { signToken } from '../../gateway/auth.ts'
import { asCustomer, asStaff, query, type GatewayResponse, type Stack } from '../stack.ts'
import { deepProductQuery, defaults, noCalls, startSecurityStack } from './securityStack.ts'

const partner = { sub: 'partner_1', roles: ['partner' as const], scopes: ['stock:read'] }
const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json'

describe('operation limits at the gateway (attack suite)', () => {
  let stack: Stack
  before(async () => {
    stack = await startSecurityStack({ gatewayConfig: { rateLimit: { ...defaults.rateLimit, enabled: false } } })
  })
  after(() => stack.close())

  /**
   * The refusal under both response media types: 400 for a client asking for
   * application/graphql-response+json (Apollo Client 4, urql), 200 for a legacy application/json
   * one, which reads no other status; the same code, no data, no subgraph called either way.
   */
  async function refused(document: string, code: string, auth?: Parameters<typeof query>[3], variables: Record<string, unknown> = {}) {
    stack.resetCounters()
    const token = typeof auth === 'object' ? await signToken(auth, stack.config) : auth
    const modern = await stack.gateway.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', accept: GRAPHQL_RESPONSE_JSON, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      payload: { query: document, variables },
    })
    const legacy = await query(stack, document, variables, auth)
    for (const [response, status] of [[{ statusCode: modern.statusCode, body: modern.json() as GatewayResponse['body'], raw: modern.body }, 400], [legacy, 200]] as const) {
      assert.equal(response.body.errors?.[0]?.extensions?.['code'], code, response.raw.slice(0, 500))
      assert.equal(response.body.data ?? null, null)
      assert.equal(response.statusCode, status, response.raw.slice(0, 500))
      assert.ok(!/\bat .+\(.+:\d+:\d+\)|https?:\/\/127\.0\.0\.1/.test(response.raw), 'no stack trace or internal URL')
    }
    assert.deepEqual(stack.subgraphCalls(), noCalls, 'no subgraph is called for a refused operation')
    return legacy.body.errors![0]!.extensions!
  }

  it('refuses the depth-24 query that used to exhaust the heap, before any subgraph is called', async () => {
    const extensions = await refused(deepProductQuery(7), 'MAX_DEPTH_EXCEEDED')
    assert.equal(extensions['limit'], 6)
    assert.equal(extensions['actual'], 26)
  })

  it('counts depth through fragments and inline fragments', async () => {
    const extensions = await refused(
      `{ products(first: 1) { ...A } }
       fragment A on ProductConnection { nodes { ... on Product { variants(first: 1) { ...B } } } }
       fragment B on ProductVariantConnection { nodes { product { ... on Product { title variants(first: 1) { nodes { sku } } } } } }`,
      'MAX_DEPTH_EXCEEDED',
    )
    assert.equal(extensions['actual'], 8)
  })

  it('refuses 1,000 aliases of products(first: 100) at the token limit, before parsing them all', async () => {
    const document = `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: products(first: 100) { nodes { id } }`).join(' ')} }`
    const extensions = await refused(document, 'MAX_TOKENS_EXCEEDED')
    assert.equal(extensions['limit'], 1000)
  })

  it('refuses more aliases than MAX_ALIASES', async () => {
    const document = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: __typename`).join(' ')} }`
    const extensions = await refused(document, 'MAX_ALIASES_EXCEEDED')
    assert.deepEqual([extensions['limit'], extensions['actual']], [15, 16])
  })

  it('refuses more root fields than MAX_ROOT_FIELDS', async () => {
    // the same field with other arguments cannot merge: each needs an alias (11 stay under the alias limit)
    const aliased = `{ ${Array.from({ length: 11 }, (_, i) => `p${i}: product(id: "p${i}") { id }`).join(' ')} }`
    const extensions = await refused(aliased, 'MAX_ROOT_FIELDS_EXCEEDED')
    assert.deepEqual([extensions['limit'], extensions['actual']], [10, 11])
  })

  it('refuses a directive flood', async () => {
    const document = `{ ${Array.from({ length: 51 }, () => '__typename @include(if: true)').join(' ')} }`
    const extensions = await refused(document, 'MAX_DIRECTIVES_EXCEEDED')
    assert.deepEqual([extensions['limit'], extensions['actual']], [50, 51])
  })

  it('refuses a fragment bomb by what it expands to, measured without expanding it', async () => {
    const levels = 30
    const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ')
    const extensions = await refused(`{ ...F0 } ${fragments} fragment F${levels} on Query { locations { id } }`, 'MAX_ROOT_FIELDS_EXCEEDED')
    assert.equal(extensions['actual'], 2 ** levels)
  })

  it('refuses an introspection bomb (types → fields → type → fields ...)', async () => {
    await refused('{ __type(name: "Query") { fields { type { fields { type { fields { type { fields { name } } } } } } } } }', 'MAX_DEPTH_EXCEEDED')
  })

  it('gives each role a cost budget: anonymous < customer < partner < staff', async () => {
    // products 1 + 40 × (product 1 + variants 1 + 50 variants × 1) = 2,081: over anonymous (1,000) and customer (2,000), within partner and staff
    const document = '{ products(first: 40) { nodes { variants(first: 50) { nodes { id } } } } }'
    const anonymous = await refused(document, 'COST_LIMIT_EXCEEDED')
    assert.deepEqual([anonymous['limit'], anonymous['actual']], [1000, 2081])
    const customer = await refused(document, 'COST_LIMIT_EXCEEDED', asCustomer('c_1001'))
    assert.equal(customer['limit'], 2000)
    for (const who of [partner, asStaff]) {
      const response = await query(stack, document, {}, who)
      assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors))
      assert.equal(response.body.data?.['products'].nodes.length, 40)
    }
  })

  it('takes a slicing argument from variables, so a variable cannot hide the size', async () => {
    const extensions = await refused('query ($n: Int) { products(first: $n) { nodes { variants(first: 50) { nodes { id } } } } }', 'COST_LIMIT_EXCEEDED', undefined, { n: 100 })
    assert.equal(extensions['actual'], 1 + 100 * 52)
  })

  it('refuses a 10,000-node fan-out for every role', async () => {
    const document = '{ products(first: 100) { nodes { variants(first: 100) { nodes { id sku } } } } }'
    for (const who of [undefined, asCustomer('c_1001'), partner, asStaff]) await refused(document, 'COST_LIMIT_EXCEEDED', who)
  })

  it('answers what stays within the limits, with the storefront operations costing what they did', async () => {
    const response = await query(stack, '{ products(first: 24) { nodes { id title priceRange(currency: USD) { min { minorUnits } } } } }')
    assert.equal(response.statusCode, 200)
    assert.equal(response.body.errors, undefined)
    assert.equal(response.body.data?.['products'].nodes.length, 24)
  })

  it('answers a body over the limit as a GraphQL error with a code', async () => {
    const response = await stack.gateway.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(2 * 1024 * 1024) } }),
    })
    assert.equal(response.statusCode, 413)
    assert.deepEqual(response.json(), { errors: [{ message: 'The request body is too large', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] })
  })

  it('answers malformed JSON as a GraphQL error with a code', async () => {
    const response = await stack.gateway.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: '{"query": ' })
    assert.equal(response.statusCode, 400)
    assert.equal(response.json().errors[0].extensions.code, 'BAD_REQUEST')
  })
})

describe('schema privacy in production (attack suite)', () => {
  let stack: Stack
  before(async () => {
    stack = await startSecurityStack({ gatewayConfig: { nodeEnv: 'production', rateLimit: { ...defaults.rateLimit, enabled: false } } })
  })
  after(() => stack.close())

  it('refuses introspection to all but staff', async () => {
    const anonymous = await query(stack, getIntrospectionQuery())
    // a request error: 200 for a legacy application/json client, 400 for application/graphql-response+json
    assert.equal(anonymous.statusCode, 200)
    assert.equal(anonymous.body.errors?.[0]?.extensions?.['code'], 'GRAPHQL_VALIDATION_FAILED')
    const modern = await stack.gateway.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', accept: GRAPHQL_RESPONSE_JSON },
      payload: { query: getIntrospectionQuery() },
    })
    assert.equal(modern.statusCode, 400)
    assert.equal(modern.json().errors[0].extensions.code, 'GRAPHQL_VALIDATION_FAILED')
    const customer = await query(stack, '{ __type(name: "Order") { fields { name } } }', {}, asCustomer('c_1001'))
    assert.equal(customer.body.errors?.[0]?.extensions?.['code'], 'GRAPHQL_VALIDATION_FAILED')
    const staff = await query(stack, getIntrospectionQuery(), {}, asStaff)
    assert.equal(staff.body.errors, undefined)
    assert.ok(staff.body.data?.['__schema'].types.length > 50)
  })

  it('suggests no field names to anyone but staff', async () => {
    const anonymous = await query(stack, '{ produts(first: 1) { nodes { id } } }')
    assert.equal(anonymous.body.errors?.[0]?.extensions?.['code'], 'GRAPHQL_VALIDATION_FAILED')
    assert.doesNotMatch(anonymous.raw, /Did you mean/)
    const staff = await query(stack, '{ produts(first: 1) { nodes { id } } }', {}, asStaff)
    assert.match(staff.raw, /Did you mean/)
  })
})

describe('the response cap at the gateway (attack suite)', () => {
  let stack: Stack
  before(async () => {
    stack = await startSecurityStack({ gatewayConfig: { maxResponseBytes: 4096, rateLimit: { ...defaults.rateLimit, enabled: false } } })
  })
  after(() => stack.close())

  it('replaces a response the gateway builds over MAX_RESPONSE_BYTES with RESPONSE_TOO_LARGE, and counts it', async () => {
    // introspection is answered by the gateway alone: no subgraph's own cap is in the way
    stack.resetCounters()
    const response = await query(stack, getIntrospectionQuery())
    assert.equal(response.statusCode, 200)
    assert.deepEqual(response.body, {
      data: null,
      errors: [{ message: 'The response is larger than 4096 bytes; ask for less (smaller pages, fewer fields)', extensions: { code: 'RESPONSE_TOO_LARGE', limit: 4096 } }],
    })
    assert.deepEqual(stack.subgraphCalls(), noCalls)
    const metrics = (await stack.gateway.inject({ method: 'GET', url: '/metrics/edge' })).json()
    assert.equal(metrics.refusals['RESPONSE_TOO_LARGE'], 1)
    // in the media type the request negotiated, still 200: the request ran
    const negotiated = await stack.gateway.inject({
      method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', accept: GRAPHQL_RESPONSE_JSON }, payload: { query: getIntrospectionQuery() },
    })
    assert.deepEqual([negotiated.statusCode, negotiated.headers['content-type'], negotiated.json().errors[0].extensions.code], [200, `${GRAPHQL_RESPONSE_JSON}; charset=utf-8`, 'RESPONSE_TOO_LARGE'])
    // a small answer passes untouched
    assert.equal((await query(stack, '{ __typename }')).body.data?.['__typename'], 'Query')
  })
})
