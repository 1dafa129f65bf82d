// A database statement that fails while inventory answers a reservation (the connection cut under
// it) must fail the answer, not shorten it: orders reads the reservations it gets as the whole of
// what was reserved, and would leave a missing one holding its units until it expires.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import type { Database, Queryable } from '../../platform/db.ts'
import { execute, openTestDatabase, staff, testConfig, type TestDatabase } from '../../platform/testing.ts'
import { inventory } from '../../subgraphs/inventory/subgraph.ts'
import { sellableSkus } from './skus.ts'

const RESERVE = `mutation ($input: InventoryReserveInput!) {
  inventoryReserve(input: $input) { reservations { id quantity item { sku } } userErrors { code } }
}`

/** `db`, except that reading reservations by id fails while `failing.now` holds (as a cut connection does). */
function failingReservationReads(db: Database, failing: { now: boolean }): Database {
  const wrap = (q: Queryable): Queryable => ({
    query: (sql, params) =>
      failing.now && /from inventory\.reservations where id = any/.test(sql) ? Promise.reject(new Error('terminating connection due to administrator command')) : q.query(sql, params),
    exec: (sql) => q.exec(sql),
  })
  return { ...db, ...wrap(db), transaction: (fn) => db.transaction((tx) => fn(wrap(tx))), listen: (channel, onNotify) => db.listen(channel, onNotify), close: () => db.close() }
}

describe('a reservation answered while its rows cannot be read', () => {
  let database: TestDatabase
  let app: FastifyInstance
  const failing = { now: false }
  before(async () => {
    database = await openTestDatabase([inventory])
    app = await inventory.buildApp({ config: testConfig, db: failingReservationReads(database.db, failing) })
  })
  after(async () => {
    await app.close()
    await database.close()
  })

  it('fails the reservations field instead of answering fewer reservations than were made, and replays them whole on retry', async () => {
    const [a, b] = sellableSkus(2) as [string, string]
    const input = { idempotencyKey: 'chaos-payload-1', referenceDocumentUri: 'gid://orders/Cart/chaos', lines: [{ sku: a, quantity: 1 }, { sku: b, quantity: 2 }] }
    failing.now = true
    const cut = await execute(app, RESERVE, { input }, staff())
    failing.now = false
    assert.ok(cut.errors?.length, `an error, not a shorter list: ${JSON.stringify(cut.data)}`)
    assert.equal(cut.data?.['inventoryReserve']?.reservations ?? null, null)

    const retried = await execute(app, RESERVE, { input }, staff())
    assert.equal(retried.errors, undefined)
    assert.deepEqual(retried.data?.['inventoryReserve'].reservations.map((r: { item: { sku: string }; quantity: number }) => [r.item.sku, r.quantity]), [[a, 1], [b, 2]])
  })
})
