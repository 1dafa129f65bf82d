import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { countingDatabase, type CountingDatabase } from '../../platform/countingDatabase.ts'
import { encodeCursor } from '../../platform/pagination.ts'
import { customer, execute, openTestDatabase, staff, testConfig, viewer, type TestDatabase } from '../../platform/testing.ts'
import { buildWorld } from '../../seed/world.ts'
import { orders } from './subgraph.ts'
import { insertReturn } from './store/returnStore.ts'

const world = buildWorld()
const newestFirst = [...world.orders].sort((a, b) => b.placedAt.getTime() - a.placedAt.getTime()).map((o) => o.id)
const ORDERS = `query ($first: Int, $after: String, $last: Int, $before: String, $filter: OrderFilter) {
  orders(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    edges { cursor node { id } }
    nodes { id }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`
type Page = { edges: { cursor: string; node: { id: string } }[]; nodes: { id: string }[]; pageInfo: Record<string, any> }

describe('Query.orders', () => {
  let test: TestDatabase
  let app: FastifyInstance
  let counted: CountingDatabase
  let countedApp: FastifyInstance
  before(async () => {
    test = await openTestDatabase([orders])
    app = await orders.buildApp({ config: testConfig, db: test.db })
    counted = countingDatabase(test.db)
    countedApp = await orders.buildApp({ config: testConfig, db: counted })
    // returns on the newest closed order and on one further down, for the statement-count test
    const closed = [...world.orders].reverse().filter((o) => o.status === 'CLOSED')
    for (const order of [closed[0], closed[30]]) {
      const lineItem = order?.lineItems[0]
      assert.ok(order && lineItem)
      await test.db.transaction((tx) =>
        insertReturn(tx, { id: `ret_${order.id}`, orderId: order.id, status: 'OPEN', lines: [{ lineItemId: lineItem.id, quantity: 1, reason: null, restock: false }] }),
      )
    }
  })
  after(async () => {
    await countedApp.close()
    await app.close()
    await test.close()
  })

  const page = async (variables: Record<string, unknown>, who = staff()): Promise<Page> => {
    const { data, errors } = await execute(app, ORDERS, variables, who)
    assert.equal(errors, undefined, JSON.stringify(errors))
    return data?.['orders'] as Page
  }
  const errorCode = async (variables: Record<string, unknown>, who = staff()) =>
    (await execute(app, ORDERS, variables, who)).errors?.[0]?.extensions?.['code']

  it("lists only the signed-in customer's own orders, newest first", async () => {
    const own = await page({}, customer('c_1001'))
    assert.deepEqual(own.nodes.map((o) => o.id), ['ord_0073', 'ord_0049', 'ord_0025', 'ord_0001'])
    assert.deepEqual((await page({}, customer('c_9999'))).nodes, [])
  })

  it('refuses an anonymous viewer with UNAUTHENTICATED', async () => {
    assert.equal(await errorCode({}, viewer()), 'UNAUTHENTICATED')
  })

  it('pages forward through every order for staff, 30 at a time', async () => {
    const seen: string[] = []
    let after: string | null = null
    const flags: [boolean, boolean][] = []
    do {
      const current: Page = await page({ first: 30, after })
      seen.push(...current.nodes.map((o) => o.id))
      assert.deepEqual(current.edges.map((e) => e.node.id), current.nodes.map((o) => o.id))
      flags.push([current.pageInfo['hasNextPage'], current.pageInfo['hasPreviousPage']])
      after = current.pageInfo['hasNextPage'] ? current.pageInfo['endCursor'] : null
    } while (after)
    assert.deepEqual(seen, newestFirst)
    assert.deepEqual(flags, [[true, false], [true, true], [false, true]])
  })

  it('pages backward from the oldest orders with last and before', async () => {
    const seen: string[] = []
    let before: string | null = null
    const flags: [boolean, boolean][] = []
    do {
      const current: Page = await page({ last: 30, before })
      seen.unshift(...current.nodes.map((o) => o.id))
      flags.push([current.pageInfo['hasNextPage'], current.pageInfo['hasPreviousPage']])
      before = current.pageInfo['hasPreviousPage'] ? current.pageInfo['startCursor'] : null
    } while (before)
    assert.deepEqual(seen, newestFirst)
    assert.deepEqual(flags, [[false, true], [true, true], [true, false]])
  })

  it('turns around at a cursor: the page before a forward page ends where it started', async () => {
    const first = await page({ first: 10 })
    const second = await page({ first: 10, after: first.pageInfo['endCursor'] })
    const back = await page({ last: 10, before: second.pageInfo['startCursor'] })
    assert.deepEqual(back.nodes, first.nodes)
    assert.deepEqual(back.pageInfo, { ...first.pageInfo, hasNextPage: true })
  })

  it('filters by status, placement date and sku', async () => {
    const cancelled = await page({ filter: { status: 'CANCELLED' } })
    assert.deepEqual(cancelled.nodes.map((o) => o.id), ['ord_0065', 'ord_0046', 'ord_0027', 'ord_0008'])
    const recent = await page({ first: 100, filter: { placedAfter: '2026-09-20T00:00:00Z' } })
    const expectedRecent = world.orders.filter((o) => o.placedAt > new Date('2026-09-20T00:00:00Z')).map((o) => o.id).reverse()
    assert.ok(expectedRecent.length > 0)
    assert.deepEqual(recent.nodes.map((o) => o.id), expectedRecent)
    const withSku = await page({ filter: { sku: 'APP-0041-L' } })
    const expectedSku = world.orders.filter((o) => o.lineItems.some((li) => li.sku === 'APP-0041-L')).map((o) => o.id).reverse()
    assert.equal(expectedSku.length, 2)
    assert.deepEqual(withSku.nodes.map((o) => o.id), expectedSku)
    const ownCancelled = await page({ filter: { status: 'CANCELLED' } }, customer('c_1003'))
    assert.deepEqual(ownCancelled.nodes.map((o) => o.id), ['ord_0027'])
  })

  it('refuses malformed cursors, foreign cursors and bad page sizes with BAD_USER_INPUT', async () => {
    assert.equal(await errorCode({ after: 'garbage' }), 'BAD_USER_INPUT')
    assert.equal(await errorCode({ before: encodeCursor('LineItemConnection', [1]) }), 'BAD_USER_INPUT')
    assert.equal(await errorCode({ after: encodeCursor('OrderConnection', ['yesterday', 'ord_0001']) }), 'BAD_USER_INPUT')
    assert.equal(await errorCode({ after: encodeCursor('OrderConnection', ['2026-02-30T00:00:00.000000Z', 'ord_0001']) }), 'BAD_USER_INPUT')
    assert.equal(await errorCode({ after: encodeCursor('OrderConnection', ['2026-09-01T00:00:00.000000Z', 7]) }), 'BAD_USER_INPUT')
    assert.equal(await errorCode({ first: testConfig.maxPageSize + 1 }), 'BAD_USER_INPUT')
    assert.equal(await errorCode({ last: -1 }), 'BAD_USER_INPUT')
    assert.equal(await errorCode({ first: 1, last: 1 }), 'BAD_USER_INPUT')
  })

  it('costs the same constant number of SQL statements for 5 or 50 orders with everything that hangs off them', async () => {
    // closed orders all have a fulfillment, so every level below them is populated
    const deep = `query ($first: Int) {
      orders(first: $first, filter: { status: CLOSED }) {
        nodes {
          id total { minorUnits }
          lineItems { nodes { id sku variant { sku } taxLines { amount { minorUnits } } } }
          fulfillmentOrders { id lines { quantity lineItem { id title } } fulfillments { id lines { lineItem { id } } } order { number } }
          returns { id lines { lineItem { id } } }
          timeline { type occurredAt message }
        }
      }
    }`
    const cost = async (first: number) => {
      const before = counted.counter.queries
      const { data, errors } = await execute(countedApp, deep, { first }, staff())
      assert.equal(errors, undefined)
      assert.equal(data?.['orders'].nodes.length, first)
      return counted.counter.queries - before
    }
    const five = await cost(5)
    const fifty = await cost(50)
    assert.equal(fifty, five)
    // orders, line items, fulfillment orders, their lines, fulfillments, their lines, returns, their
    // lines, timelines (the lines read their line items in the same statement)
    assert.equal(fifty, 9)
  })
})
