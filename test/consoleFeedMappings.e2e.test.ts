// Partner feed mappings in the operator console, on the whole supergraph in one process: a
// partner's first file through the gateway proposes a mapping, the console lists it with the
// files waiting, and a staff member approves it as proposed, as themselves.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import type { FeedMappingApproveAnswer, FeedMappingsAnswer } from '../gateway/console/consoleApi.ts'
import { signToken, type TokenClaims } from '../gateway/auth.ts'
import { asCustomer, query, stackForTests, type Stack } from './stack.ts'

const STAFF: TokenClaims = { sub: 'staff_reviewer', roles: ['staff'] }
const sample = (name: string) => readFileSync(new URL(`../subgraphs/inventory/feeds/samples/${name}`, import.meta.url))
const partner = (sub: string): TokenClaims => ({ sub, roles: ['partner'], scopes: ['feeds:write'] })

async function sendFeed(stack: Stack, partnerId: string, file: Buffer | string): Promise<{ id: string; status: string }> {
  const response = await stack.gateway.inject({
    method: 'POST',
    url: '/partner/feeds/stock-snapshot',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${await signToken(partner(partnerId), stack.config)}` },
    payload: file,
  })
  assert.equal(response.statusCode, 202, response.body)
  return (response.json() as { feed: { id: string; status: string } }).feed
}

async function consoleCall(stack: Stack, method: 'GET' | 'POST', url: string, claims: TokenClaims | null, payload?: unknown) {
  const token = claims ? await signToken(claims, stack.config) : null
  return stack.gateway.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) })
}

async function waiting(stack: Stack): Promise<FeedMappingsAnswer> {
  const response = await consoleCall(stack, 'GET', '/console/api/feed-mappings', STAFF)
  assert.equal(response.statusCode, 200, response.body)
  return response.json() as FeedMappingsAnswer
}

const approve = (stack: Stack, partnerId: string, claims: TokenClaims | null = STAFF, idempotencyKey: unknown = randomUUID()) =>
  consoleCall(stack, 'POST', `/console/api/feed-mappings/${encodeURIComponent(partnerId)}/STOCK_SNAPSHOT/approve`, claims, { idempotencyKey })

const FEED = `query ($id: ID!) { partnerFeed(id: $id) { status } }`
const MAPPING = `query ($partnerId: ID!) { partnerFeedMapping(partnerId: $partnerId, kind: STOCK_SNAPSHOT) { status approvedBy } }`

describe('partner feed mappings in the operator console', () => {
  const stack = stackForTests()

  it('lists nothing while no file waits', async () => {
    assert.deepEqual(await waiting(stack), { mappings: [] })
  })

  it('is for staff only: 401 without a token, 403 for a customer or the partner itself', async () => {
    await sendFeed(stack, 'partner_wh', sample('warehouse-levels.psv'))
    assert.equal((await consoleCall(stack, 'GET', '/console/api/feed-mappings', null)).statusCode, 401)
    for (const claims of [asCustomer('c_1001'), partner('partner_wh')]) {
      const list = await consoleCall(stack, 'GET', '/console/api/feed-mappings', claims)
      assert.equal(list.statusCode, 403)
      assert.equal(list.json().errors[0].extensions.code, 'FORBIDDEN')
      const approval = await approve(stack, 'partner_wh', claims)
      assert.equal(approval.statusCode, 403)
    }
    assert.equal((await approve(stack, 'partner_wh', null)).statusCode, 401)
    const { body } = await query(stack, MAPPING, { partnerId: 'partner_wh' }, STAFF)
    assert.equal(body.data?.['partnerFeedMapping'].status, 'PROPOSED')
  })

  it('lists each waiting mapping with its files, its fields and columns, and whether it is ready', async () => {
    await sendFeed(stack, 'partner_wh', sample('warehouse-levels.psv').toString('utf8').replace('8 pcs', '9 pcs'))
    await sendFeed(stack, 'partner_3pl', sample('3pl-stock-snapshot.csv'))
    const { mappings } = await waiting(stack)
    assert.deepEqual(mappings.map((m) => [m.partnerId, m.kind, m.status, m.filesWaiting, m.ready]), [
      ['partner_wh', 'STOCK_SNAPSHOT', 'PROPOSED', 2, true],
      ['partner_3pl', 'STOCK_SNAPSHOT', 'PROPOSED', 1, false],
    ])
    const warehouse = mappings[0]!
    assert.equal(warehouse.confidence, 1)
    assert.ok(warehouse.fields.some((f) => f.field === 'sku' && f.required && f.column !== null && f.confidence >= 0.75))
    const threePl = mappings[1]!
    assert.deepEqual(Object.fromEntries(threePl.fields.map((f) => [f.field, f.column])), { sku: 'Item No.', locationId: 'Warehouse', quantity: 'Qty (cases)', asOf: 'Snapshot Date', quantityName: null, lot: null })
    assert.ok(threePl.review.some((note) => note.field === 'locationId' && note.blocking), JSON.stringify(threePl.review))
  })

  it('refuses to approve a proposal that is not ready, with inventory\'s code, and changes nothing', async () => {
    const refused = await approve(stack, 'partner_3pl')
    assert.equal(refused.statusCode, 422, refused.body)
    const answer = refused.json() as FeedMappingApproveAnswer
    assert.equal(answer.outcome, 'refused')
    assert.deepEqual(answer.userErrors.map((e) => [e.code, e.field]), [['FEED_MAPPING_NOT_READY', ['input', 'mapping']]])
    assert.equal((await waiting(stack)).mappings.find((m) => m.partnerId === 'partner_3pl')?.status, 'PROPOSED')
  })

  it('approves as proposed as the staff member, applies the waiting files, then answers that it is approved already', async () => {
    const files = (await query(stack, `{ partnerFeeds(filter: { partnerId: "partner_wh", statuses: [AWAITING_MAPPING] }, first: 10) { nodes { id } } }`, {}, STAFF)).body.data?.['partnerFeeds'].nodes as { id: string }[]
    assert.equal(files.length, 2)
    const key = randomUUID()
    const approved = await approve(stack, 'partner_wh', STAFF, key)
    assert.equal(approved.statusCode, 200, approved.body)
    const answer = approved.json() as FeedMappingApproveAnswer
    assert.equal(answer.outcome, 'approved')
    assert.equal(answer.approvedBy, STAFF.sub)
    assert.deepEqual(answer.appliedFeeds.map((f) => f.status), ['APPLIED', 'APPLIED'])
    for (const { id } of files) assert.equal((await query(stack, FEED, { id }, STAFF)).body.data?.['partnerFeed'].status, 'APPLIED')
    assert.deepEqual((await query(stack, MAPPING, { partnerId: 'partner_wh' }, STAFF)).body.data?.['partnerFeedMapping'], { status: 'APPROVED', approvedBy: STAFF.sub })
    assert.deepEqual((await waiting(stack)).mappings.map((m) => m.partnerId), ['partner_3pl'])

    const again = await approve(stack, 'partner_wh', { sub: 'staff_other', roles: ['staff'] })
    assert.equal(again.statusCode, 409, again.body)
    assert.deepEqual(again.json(), { outcome: 'already_approved', approvedBy: STAFF.sub, approvedAt: answer.approvedAt, appliedFeeds: [], userErrors: [] })
  })

  it('answers a bad kind or key with 400, an over-long partner id with 414, and an unknown partner with inventory\'s 404', async () => {
    const kind = await consoleCall(stack, 'POST', '/console/api/feed-mappings/partner_wh/PRICE_LIST/approve', STAFF, { idempotencyKey: randomUUID() })
    assert.equal(kind.statusCode, 400)
    assert.equal(kind.json().errors[0].extensions.code, 'BAD_REQUEST')
    for (const key of [undefined, '', 42, 'x'.repeat(129), 'with space']) {
      const bad = await consoleCall(stack, 'POST', '/console/api/feed-mappings/partner_3pl/STOCK_SNAPSHOT/approve', STAFF, { idempotencyKey: key })
      assert.equal(bad.statusCode, 400, `${String(key)}: ${bad.body}`)
    }
    assert.equal((await approve(stack, 'p'.repeat(101))).statusCode, 414)
    const unknown = await approve(stack, 'partner_nobody')
    assert.equal(unknown.statusCode, 404, unknown.body)
    assert.deepEqual((unknown.json() as FeedMappingApproveAnswer).userErrors.map((e) => e.code), ['UNKNOWN_FEED_MAPPING'])
  })

  it('answers 502 SUBGRAPH_UNAVAILABLE, without its address, while inventory is down', async () => {
    await stack.stopSubgraph('inventory')
    try {
      for (const response of [await consoleCall(stack, 'GET', '/console/api/feed-mappings', STAFF), await approve(stack, 'partner_3pl')]) {
        assert.equal(response.statusCode, 502, response.body)
        assert.equal(response.json().errors[0].extensions.code, 'SUBGRAPH_UNAVAILABLE')
        assert.doesNotMatch(response.body, /127\.0\.0\.1|localhost|http|ECONN/)
      }
    } finally {
      await stack.startSubgraph('inventory')
    }
  })
})
