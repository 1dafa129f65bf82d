import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import type { CountingDatabase } from '../../platform/countingDatabase.ts'
import { execute, openSubgraphTestApp, staff, type SubgraphTestApp } from '../../platform/testing.ts'
import { buildWorld } from '../../seed/world.ts'
import { finance } from './subgraph.ts'

const world = buildWorld()

const ORDERS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order {
  id financialStatus balanceDue { minorUnits }
  payments { id captured { minorUnits } transactions { kind amount { minorUnits } } }
  invoices { id number lines { lineItem { id } description taxLines { amount { minorUnits } } } }
  refunds { id transactions { kind } }
} } }`
const JOURNAL = `query($first: Int) { journalEntries(filter: {}, first: $first) { nodes { id lines { accountCode amount { minorUnits } } } } }`

describe('batching', () => {
  let t: SubgraphTestApp
  let db: CountingDatabase
  let app: FastifyInstance
  const statementsFor = async (query: string, variables: Record<string, unknown>) => {
    const before = db.counter.queries
    const { data, errors } = await execute(app, query, variables, staff())
    assert.equal(errors, undefined)
    return { statements: db.counter.queries - before, data }
  }
  const refs = (n: number) =>
    world.orders.slice(0, n).map((o) => ({ __typename: 'Order', id: o.id, total: { minorUnits: String(o.total), currency: o.currency, fractionDigits: 2 } }))
  before(async () => {
    t = await openSubgraphTestApp(finance)
    app = t.app
    db = t.db
  })
  after(() => t.close())

  it('resolves 50 orders with payments, transactions, invoices, lines and refunds in as many statements as 2 orders', async () => {
    const few = await statementsFor(ORDERS, { r: refs(2) })
    const many = await statementsFor(ORDERS, { r: refs(50) })
    assert.equal(many.data?.['_entities'].length, 50)
    assert.equal(many.data?.['_entities'].filter((o: { invoices: unknown[] }) => o.invoices.length === 1).length, 50 - world.orders.slice(0, 50).filter((o) => o.status === 'CANCELLED').length)
    // account, payments, invoices, refunds, payment transactions, invoice lines (refund
    // transactions are not fetched when there are no refunds)
    assert.equal(many.statements, 6)
    assert.equal(few.statements, many.statements)
  })

  it('loads the lines of a page of 50 journal entries in one statement', async () => {
    const { statements, data } = await statementsFor(JOURNAL, { first: 50 })
    assert.equal(data?.['journalEntries'].nodes.length, 50)
    assert.equal(statements, 2)
  })
})
