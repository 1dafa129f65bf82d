import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { SUBGRAPH_NAMES, type SubgraphName } from '../../platform/subgraphRegistry.ts'
import { CONNECTION_INIT_BODY, signViewer, VIEWER_HEADER, VIEWER_HEADER_MAX_AGE_MS } from '../../platform/viewer.ts'
import { openRawSocket } from '../../platform/wsTesting.ts'
import type { Stack } from '../stack.ts'
import { assertAlive, assertNoLeak, callSubgraph, graphqlBody, signedFor, viewerOf, type SubgraphAnswer, type SubgraphCall } from './attackSupport.ts'
import { defaults, startSecurityStack } from './securityStack.ts'

// what an attacker inside the network wants: someone else's order, as staff
const STEAL = graphqlBody('{ _entities(representations: [{__typename: "Order", id: "ord_0002"}]) { ... on Order { id customerId total { minorUnits } } } }')
const STAFF = viewerOf('staff_mallory', ['staff'])
const CUSTOMER = viewerOf('c_1001')

describe('viewer signatures: calling a subgraph around the gateway (attack suite)', () => {
  let stack: Stack
  before(async () => {
    stack = await startSecurityStack({ gatewayConfig: { rateLimit: { ...defaults.rateLimit, enabled: false }, anomaly: { ...defaults.anomaly, enabled: false } } })
  })
  after(() => stack.close())

  /** The subgraph's refusal: this status and code, no data, not one SQL statement, nothing leaked. */
  async function refusedBySubgraph(name: SubgraphName, call: SubgraphCall, status: number, code: string): Promise<SubgraphAnswer> {
    stack.resetCounters()
    const answer = await callSubgraph(stack, name, call)
    assert.ok(answer.body, `the refusal is not JSON: ${answer.status} ${answer.raw.slice(0, 300)}`)
    assert.equal(answer.body.errors?.[0]?.extensions?.['code'], code, `${answer.status} ${answer.raw.slice(0, 300)}`)
    assert.equal(answer.status, status, answer.raw.slice(0, 300))
    assert.equal(answer.body.data ?? null, null)
    assert.equal(stack.queries()[name], 0, 'nothing ran: no SQL statement')
    assert.ok(!answer.raw.includes('c_1002'), 'nothing of the order leaked')
    assertNoLeak(stack, answer.raw)
    return answer
  }

  it('serves a call signed as the gateway signs it (the control: every refusal below breaks one thing)', async () => {
    const answer = await callSubgraph(stack, 'orders', { body: STEAL, viewerHeader: signedFor(STAFF, STEAL) })
    assert.equal(answer.status, 200)
    assert.equal(answer.body?.data?.['_entities'][0].customerId, 'c_1002')
  })

  it('refuses a call without the viewer header on every subgraph with 401 UNAUTHENTICATED', async () => {
    for (const name of SUBGRAPH_NAMES) await refusedBySubgraph(name, { body: graphqlBody('{ __typename }') }, 401, 'UNAUTHENTICATED')
  })

  it('refuses a forged HMAC, and a genuine header whose viewer was edited to staff', async () => {
    const genuine = signedFor(CUSTOMER, STEAL)
    const [payload, mac] = genuine.split('.') as [string, string]
    const flipped = `${mac.slice(0, -2)}${mac.endsWith('AA') ? 'AB' : 'AA'}`
    await refusedBySubgraph('orders', { body: STEAL, viewerHeader: `${payload}.${flipped}` }, 401, 'UNAUTHENTICATED')
    await refusedBySubgraph('orders', { body: STEAL, viewerHeader: `${payload}.` }, 401, 'UNAUTHENTICATED')
    await refusedBySubgraph('orders', { body: STEAL, viewerHeader: 'garbage' }, 401, 'UNAUTHENTICATED')
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>
    const promoted = Buffer.from(JSON.stringify({ ...claims, v: STAFF })).toString('base64url')
    await refusedBySubgraph('orders', { body: STEAL, viewerHeader: `${promoted}.${mac}` }, 401, 'UNAUTHENTICATED')
  })

  it('refuses a genuine header replayed with another body, even one differing by a space', async () => {
    const innocent = graphqlBody('{ __typename }')
    const captured = signedFor(STAFF, innocent)
    await refusedBySubgraph('orders', { body: STEAL, viewerHeader: captured }, 401, 'UNAUTHENTICATED')
    await refusedBySubgraph('orders', { body: `${innocent} `, viewerHeader: captured }, 401, 'UNAUTHENTICATED')
    // and the header of the very call it was made for still works once (within the minute)
    const answer = await callSubgraph(stack, 'orders', { body: innocent, viewerHeader: captured })
    assert.equal(answer.status, 200)
  })

  it('refuses a header older than 60 seconds, and one dated in the future beyond the skew', async () => {
    await refusedBySubgraph('orders', { body: STEAL, viewerHeader: signedFor(STAFF, STEAL, Date.now() - VIEWER_HEADER_MAX_AGE_MS - 1000) }, 401, 'UNAUTHENTICATED')
    // a header minted to live long by dating it ahead
    await refusedBySubgraph('orders', { body: STEAL, viewerHeader: signedFor(STAFF, STEAL, Date.now() + 10 * 60_000) }, 401, 'UNAUTHENTICATED')
    const fresh = await callSubgraph(stack, 'orders', { body: STEAL, viewerHeader: signedFor(STAFF, STEAL, Date.now() - VIEWER_HEADER_MAX_AGE_MS + 5000) })
    assert.equal(fresh.status, 200, 'a header a few seconds short of a minute is still good')
  })

  it('refuses a header signed with an unknown secret', async () => {
    for (const secret of ['x'.repeat(32), `${stack.config.viewerSigningSecret} `, stack.config.jwtSecret!]) {
      await refusedBySubgraph('orders', { body: STEAL, viewerHeader: signViewer(STAFF, secret, STEAL) }, 401, 'UNAUTHENTICATED')
    }
  })

  it('refuses a GET, even with a valid header signed over the empty body, with 405 BAD_REQUEST', async () => {
    const answer = await refusedBySubgraph(
      'orders',
      { method: 'GET', search: `?query=${encodeURIComponent('{ _entities(representations: [{__typename: "Order", id: "ord_0002"}]) { ... on Order { id } } }')}`, viewerHeader: signedFor(STAFF, '') },
      405,
      'BAD_REQUEST',
    )
    assert.equal(answer.headers.get('allow'), 'POST')
  })

  it('refuses a body in another content type than JSON, even with a valid header over its bytes', async () => {
    await refusedBySubgraph('orders', { body: STEAL, contentType: 'text/plain', viewerHeader: signedFor(STAFF, STEAL) }, 401, 'UNAUTHENTICATED')
    const document = '{ __typename }'
    await refusedBySubgraph('orders', { body: document, contentType: 'application/graphql', viewerHeader: signedFor(STAFF, document) }, 401, 'UNAUTHENTICATED')
  })

  it('refuses a forged header with UNAUTHENTICATED whatever the body: malformed, empty or oversized JSON', async () => {
    // the signature is the first gate: a forged header must not get as far as the body parser
    for (const body of ['{"query": ', '', 'x'.repeat(1024 * 1024 + 1)]) {
      await refusedBySubgraph('orders', { body, viewerHeader: 'forged.header' }, 401, 'UNAUTHENTICATED')
    }
    await assertAlive(stack)
  })

  it('refuses a header made for a graphql-ws connection_init when replayed over HTTP, with a client error', async () => {
    // the marker a socket signs is not JSON, so it cannot pass for a request body
    stack.resetCounters()
    const answer = await callSubgraph(stack, 'orders', { body: CONNECTION_INIT_BODY, viewerHeader: signedFor(STAFF, CONNECTION_INIT_BODY) })
    assert.equal(answer.body?.errors?.[0]?.extensions?.['code'], 'BAD_REQUEST', answer.raw)
    assert.ok(answer.status === 200 || answer.status === 400, `status ${answer.status}`)
    assert.equal(stack.queries().orders, 0)
    // and with a JSON body it is simply not a signature over that body
    await refusedBySubgraph('orders', { body: STEAL, viewerHeader: signedFor(STAFF, CONNECTION_INIT_BODY) }, 401, 'UNAUTHENTICATED')
  })

  it('closes an inventory socket whose connection_init carries a header signed for an HTTP body (4403)', async () => {
    const socket = await openRawSocket(stack.urls.inventory.replace(/^http/, 'ws'))
    socket.send({ type: 'connection_init', payload: { headers: { [VIEWER_HEADER]: signedFor(STAFF, STEAL) } } })
    assert.deepEqual(await socket.closed, { code: 4403, reason: 'Forbidden' })
    const unsigned = await openRawSocket(stack.urls.inventory.replace(/^http/, 'ws'))
    unsigned.send({ type: 'connection_init', payload: {} })
    assert.equal((await unsigned.closed).code, 4403)
    // the control: the marker signature opens it
    const genuine = await openRawSocket(stack.urls.inventory.replace(/^http/, 'ws'))
    genuine.send({ type: 'connection_init', payload: { headers: { [VIEWER_HEADER]: signedFor(STAFF, CONNECTION_INIT_BODY) } } })
    assert.deepEqual(await genuine.nextMessage(), { type: 'connection_ack' })
    genuine.close()
    await assertAlive(stack)
  })
})
