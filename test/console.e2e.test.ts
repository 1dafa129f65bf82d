// The operator console's API and GraphiQL's helpers, on the whole supergraph in one process:
// who may call them, what the overview shows as subgraphs stop and return, dead letters listed
// and replayed through the subgraph's own endpoint, and how a browser's GET of /graphql is met.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import type { ConsoleOverview, DeadLettersAnswer, ReplayAnswer } from '../gateway/console/consoleApi.ts'
import { signToken, type TokenClaims } from '../gateway/auth.ts'
import type { PersistedOperationsAnswer } from '../gateway/ui/graphiqlApi.ts'
import { eventually } from '../platform/testing.ts'
import { collect, wsClient } from '../platform/wsTesting.ts'
import { asCustomer, asStaff, query, stackForTests, startStack, type Stack } from './stack.ts'

const PARTNER: TokenClaims = { sub: 'partner_acme', roles: ['partner'], scopes: ['stock:read'] }
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'

async function get(stack: Stack, url: string, claims?: TokenClaims | string, headers: Record<string, string> = {}) {
  const token = typeof claims === 'string' ? claims : claims ? await signToken(claims, stack.config) : undefined
  return stack.gateway.inject({ method: 'GET', url, headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } })
}

async function overview(stack: Stack): Promise<ConsoleOverview> {
  const response = await get(stack, '/console/api/overview', asStaff)
  assert.equal(response.statusCode, 200, response.body)
  return response.json() as ConsoleOverview
}

describe('the operator console API and GraphiQL', () => {
  const stack = stackForTests()

  it('is for staff only: 401 without a token or with a bad one, 403 for a customer or a partner', async () => {
    for (const url of ['/console/api/overview', '/console/api/dead-letters']) {
      const anonymous = await get(stack, url)
      assert.equal(anonymous.statusCode, 401)
      assert.equal(anonymous.json().errors[0].extensions.code, 'UNAUTHENTICATED')
      assert.equal(anonymous.headers['www-authenticate'], 'Bearer')
      assert.equal((await get(stack, url, 'not.a.token')).statusCode, 401)
      const customer = await get(stack, url, asCustomer('c_1001'))
      assert.equal(customer.statusCode, 403)
      assert.equal(customer.json().errors[0].extensions.code, 'FORBIDDEN')
      assert.equal((await get(stack, url, PARTNER)).statusCode, 403)
    }
    const replay = await stack.gateway.inject({ method: 'POST', url: '/console/api/dead-letters/inventory/1/replay' })
    assert.equal(replay.statusCode, 401)
  })

  it('shows every subgraph up with its probe, the supergraph version, and the last minute per operation', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await query(stack, 'query ConsoleProducts { products(first: 2) { nodes { handle } } }')).body.errors, undefined)
    const refused = await query(stack, 'query ConsoleMyOrders { orders(first: 1) { nodes { id } } }')
    const code = refused.body.errors?.[0]?.extensions?.['code'] as string
    assert.ok(code, refused.raw)
    const seen = await overview(stack)
    assert.deepEqual(seen.subgraphs.map((s) => [s.name, s.status]), [['catalog', 'up'], ['finance', 'up'], ['inventory', 'up'], ['orders', 'up']])
    for (const subgraph of seen.subgraphs) {
      assert.equal(subgraph.replicas.length, 1)
      assert.equal(typeof subgraph.replicas[0]?.probeMs, 'number')
      assert.ok(subgraph.events, `${subgraph.name} has no figures from /metrics`)
    }
    assert.equal(seen.subgraphs.find((s) => s.name === 'catalog')?.circuit, 'closed')
    // the response cache answers the repeats: at least the first call reached catalog
    assert.ok((seen.subgraphs.find((s) => s.name === 'catalog')?.fetches.count ?? 0) >= 1)
    assert.match(seen.supergraph.version ?? '', /^[0-9a-f]{12}$/)
    assert.deepEqual([...seen.supergraph.subgraphNames].sort(), ['catalog', 'finance', 'inventory', 'orders'])
    const products = seen.operations.find((o) => o.name === 'ConsoleProducts')
    assert.equal(products?.requests, 3)
    assert.equal(products?.errors, 0)
    assert.ok((products?.requestsPerSecond ?? 0) > 0)
    const myOrders = seen.operations.find((o) => o.name === 'ConsoleMyOrders')
    assert.equal(myOrders?.errors, 1)
    assert.deepEqual(myOrders?.errorCodes, [{ code, count: 1 }])
    assert.ok(seen.errorsByCode.some((entry) => entry.code === code))
    assert.equal(seen.trustedDocuments.mode, stack.config.trustedDocuments)
  })

  it('shows a subgraph down once it stops answering, and up again when it returns', async () => {
    await stack.stopSubgraph('finance')
    try {
      await eventually('finance shown down', async () => (await overview(stack)).subgraphs.find((s) => s.name === 'finance')?.status === 'down', 8000)
      const down = (await overview(stack)).subgraphs.find((s) => s.name === 'finance')
      assert.deepEqual(down?.replicas.map((r) => [r.up, r.probeMs]), [[false, null]])
      assert.equal(down?.events, null)
    } finally {
      await stack.startSubgraph('finance')
    }
    await eventually('finance shown up', async () => (await overview(stack)).subgraphs.find((s) => s.name === 'finance')?.status === 'up', 8000)
  })

  it("lists finance's open incident with its service and integration, and still answers with inventory down", async () => {
    const recorder = stack.subgraphs.finance.paymentIncidents
    assert.ok(recorder, 'finance records payment provider incidents')
    recorder.opened('The payment provider is failing (console test).', 'timeout after 50 ms')
    await recorder.settled()
    try {
      const financeIncident = async () => (await overview(stack)).incidents.find((i) => i.service === 'finance')
      await eventually('the incident listed', async () => (await financeIncident()) !== undefined, 4000)
      const opened = (await financeIncident())!
      assert.deepEqual(
        { ...opened, id: opened.id.slice(0, 4), openedAt: typeof opened.openedAt },
        { service: 'finance', integration: 'payment-provider', id: 'inc_', summary: 'The payment provider is failing (console test).', lastError: 'timeout after 50 ms', openedAt: 'string', notifiedAt: null },
      )
      assert.ok(Date.now() - Date.parse(opened.openedAt) < 60_000)
      assert.deepEqual((await overview(stack)).incidentSources, [
        { service: 'finance', available: true, reason: null },
        { service: 'inventory', available: true, reason: null },
      ])

      await stack.stopSubgraph('inventory')
      try {
        await eventually('inventory listed unavailable', async () => (await overview(stack)).incidentSources.some((s) => s.service === 'inventory' && !s.available), 8000)
        const down = await overview(stack)
        assert.deepEqual(down.incidentSources, [
          { service: 'finance', available: true, reason: null },
          { service: 'inventory', available: false, reason: 'did not answer' },
        ])
        assert.deepEqual(down.incidents.map((i) => [i.service, i.id]), [['finance', opened.id]])
        assert.doesNotMatch(JSON.stringify(down.incidentSources), /127\.0\.0\.1|http|ECONN/)
      } finally {
        await stack.startSubgraph('inventory')
      }
    } finally {
      stack.subgraphs.finance.paymentIncidents?.resolved()
      await stack.subgraphs.finance.paymentIncidents?.settled()
    }
    await eventually('the incident gone once resolved', async () => {
      const seen = await overview(stack)
      return seen.incidents.length === 0 && seen.incidentSources.every((s) => s.available)
    }, 8000)
  })

  it('counts open subscriptions per partner', async () => {
    const client = wsClient(await stack.gatewayWsUrl(), { authorization: `Bearer ${await signToken(PARTNER, stack.config)}` })
    const feeds = [0, 1].map(() => collect(client, 'subscription { stockLevelChanged(filter: { skus: ["no-such-sku"] }) { sku } }'))
    try {
      await eventually('two subscriptions counted', async () => {
        const { subscriptions } = await overview(stack)
        return subscriptions.byClient.some((c) => c.sub === 'partner_acme' && c.kind === 'partner' && c.subscriptions === 2) && subscriptions.subscribers >= 2
      })
    } finally {
      for (const feed of feeds) feed.stop()
      await client.dispose()
    }
    await eventually('subscriptions gone', async () => !(await overview(stack)).subscriptions.byClient.some((c) => c.sub === 'partner_acme'))
  })

  it("lists every subgraph's dead letters and replays one through its subgraph, once", async () => {
    const event = {
      id: randomUUID(), type: 'ConsoleProbe', source: 'orders', aggregateType: 'order', aggregateId: 'ord_console', sequence: 1,
      occurredAt: new Date().toISOString(), traceContext: {}, payload: {},
    }
    const { rows } = await stack.test.db.query<{ id: string }>(
      `insert into inventory.dead_letters (consumer, event_id, event, error, attempts) values ('inventory.order-events', $1, $2::jsonb, 'boom', 5) returning id::text`,
      [event.id, JSON.stringify(event)],
    )
    const id = rows[0]!.id
    const listed = await get(stack, '/console/api/dead-letters', asStaff)
    assert.equal(listed.statusCode, 200)
    const answer = listed.json() as DeadLettersAnswer
    assert.deepEqual(answer.services.map((s) => [s.service, s.available]), [['catalog', true], ['finance', true], ['inventory', true], ['orders', true]])
    const inventory = answer.services.find((s) => s.service === 'inventory')
    assert.deepEqual(inventory?.deadLetters.find((letter) => letter.id === id)?.eventId, event.id)

    const replay = async (service: string, letter: string) =>
      stack.gateway.inject({ method: 'POST', url: `/console/api/dead-letters/${service}/${letter}/replay`, headers: { authorization: `Bearer ${await signToken(asStaff, stack.config)}` } })
    const first = await replay('inventory', id)
    assert.equal(first.statusCode, 200)
    assert.equal((first.json() as ReplayAnswer).outcome, 'replayed')
    const replayedAt = await stack.test.db.query<{ at: Date | null }>(`select replayed_at as at from inventory.dead_letters where id = $1::bigint`, [id])
    assert.ok(replayedAt.rows[0]?.at)
    const second = await replay('inventory', id)
    assert.equal(second.statusCode, 409)
    assert.equal((second.json() as ReplayAnswer).outcome, 'already_replayed')
    assert.equal((await replay('inventory', '987654321')).statusCode, 404)
    assert.equal((await replay('warehouse', id)).statusCode, 404)
    assert.equal((await replay('inventory', 'abc')).statusCode, 400)
  })

  // GraphiQL's helpers on the same stack
  it('sends a browser opening /graphql to GraphiQL, and leaves GraphQL-over-HTTP GETs alone', async () => {
    const browser = await get(stack, '/graphql', undefined, { accept: BROWSER_ACCEPT })
    assert.equal(browser.statusCode, 302)
    assert.equal(browser.headers.location, '/graphiql')
    const fromAddressBar = await get(stack, `/graphql?query=${encodeURIComponent('{ __typename }')}`, undefined, { accept: BROWSER_ACCEPT })
    assert.equal(fromAddressBar.statusCode, 200)
    assert.deepEqual(fromAddressBar.json(), { data: { __typename: 'Query' } })
    const client = await get(stack, '/graphql', undefined, { accept: 'application/graphql-response+json' })
    assert.notEqual(client.statusCode, 302)
  })

  it('answers the schema with its descriptions and lists every client manifest, outside production for anyone', async () => {
    const schema = await get(stack, '/graphiql/api/schema')
    assert.equal(schema.statusCode, 200)
    const types = schema.json().data.__schema.types as { name: string; fields: { name: string; description: string | null }[] | null }[]
    const products = types.find((t) => t.name === 'Query')?.fields?.find((f) => f.name === 'products')
    assert.match(products?.description ?? '', /Relay connection/)
    const operations = await get(stack, '/graphiql/api/operations')
    assert.equal(operations.statusCode, 200)
    const listed = operations.json() as PersistedOperationsAnswer
    assert.deepEqual([...new Set(listed.operations.map((o) => o.client))], ['partner', 'storefront'])
    assert.ok(listed.operations.some((o) => o.name === 'ProductPage' && o.type === 'query' && /^[0-9a-f]{64}$/.test(o.id)))
  })
})

describe('GraphiQL at a production gateway with TRUSTED_DOCUMENTS=enforce', () => {
  const stack = stackForTests(() => startStack({ bus: false, gatewayConfig: { nodeEnv: 'production', trustedDocuments: 'enforce', trustedDocumentsAllowStaff: false } }))

  it('serves the schema and the operation list to staff only, like introspection itself', async () => {
    for (const url of ['/graphiql/api/schema', '/graphiql/api/operations']) {
      assert.equal((await get(stack, url)).statusCode, 401, url)
      assert.equal((await get(stack, url, asCustomer('c_1001'))).statusCode, 403, url)
      assert.equal((await get(stack, url, asStaff)).statusCode, 200, url)
    }
    const introspection = await query(stack, '{ __schema { queryType { name } } }')
    assert.equal(introspection.body.errors?.[0]?.extensions?.['code'], 'PERSISTED_QUERY_REQUIRED')
  })

  it('runs what GraphiQL sends by id, and refuses its free-form documents, staff included', async () => {
    const listed = (await get(stack, '/graphiql/api/operations', asStaff)).json() as PersistedOperationsAnswer
    assert.equal(listed.mode, 'enforce')
    const listing = listed.operations.find((o) => o.name === 'ProductListing')!
    const token = await signToken(asStaff, stack.config)
    const byId = await stack.gateway.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      payload: { documentId: `sha256:${listing.id}`, operationName: 'ProductListing', variables: { currency: 'EUR', first: 1 } },
    })
    assert.equal(byId.statusCode, 200)
    assert.equal(byId.json().data.products.nodes.length, 1)
    const freeForm = await query(stack, '{ products(first: 1) { nodes { handle } } }', {}, asStaff)
    assert.equal(freeForm.body.errors?.[0]?.extensions?.['code'], 'PERSISTED_QUERY_REQUIRED')
  })
})
