import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { encodeCursor } from '../../platform/pagination.ts'
import { customer, execute, openSubgraphTestApp, staff, testConfig, type GraphQLResponse, type SubgraphTestApp } from '../../platform/testing.ts'
import { ANONYMOUS } from '../../platform/viewer.ts'
import { buildWorld, type WorldOrder } from '../../seed/world.ts'
import { finance } from './subgraph.ts'

const world = buildWorld()
const orderOf = (id: string) => world.orders.find((o) => o.id === id) as WorldOrder
const usd = (minorUnits: bigint | number) => ({ minorUnits: String(minorUnits), currency: 'USD', fractionDigits: 2 })
const paid = world.orders.filter((o) => o.financialStatus === 'PAID')
const invoiced = world.orders.filter((o) => o.financialStatus !== 'VOIDED')

const INVOICE = `query($id: ID!) { invoice(id: $id) {
  id number order { id } status issuedAt subtotal { minorUnits currency fractionDigits } taxTotal { minorUnits } total { minorUnits }
  lines { lineItem { id } description quantity unitPrice { minorUnits currency } taxLines { title rate amount { minorUnits currency } } total { minorUnits } }
} }`
const PAYMENT = `query($id: ID!) { payment(id: $id) {
  id order { id } gateway authorized { minorUnits currency fractionDigits } captured { minorUnits } refunded { minorUnits }
  transactions { id kind status amount { minorUnits currency } pspReference parentTransactionId idempotencyKey createdAt }
} }`
const JOURNAL = `query($filter: JournalFilter!, $first: Int, $after: String) { journalEntries(filter: $filter, first: $first, after: $after) {
  edges { cursor node { id } }
  nodes { id postedAt sourceDocumentUri lines { accountCode direction amount { minorUnits currency fractionDigits } } }
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
} }`
const SETTLEMENTS = `query($status: ReconciliationStatus, $first: Int, $after: String) { settlements(status: $status, first: $first, after: $after) {
  nodes { id gateway payoutDate gross { minorUnits currency } fees { minorUnits } net { minorUnits } status
    unmatchedTransactions { id kind amount { minorUnits currency } } }
  pageInfo { hasNextPage endCursor }
} }`

describe('finance queries', () => {
  let t: SubgraphTestApp
  let app: FastifyInstance
  before(async () => {
    t = await openSubgraphTestApp(finance)
    app = t.app
  })
  after(() => t.close())

  describe('invoice', () => {
    it('returns the owner its invoice with the order line items, tax lines and totals', async () => {
      const order = orderOf('ord_0001')
      const { data, errors } = await execute(app, INVOICE, { id: 'inv_0001' }, customer('c_1001'))
      assert.equal(errors, undefined)
      assert.deepEqual(data?.['invoice'], {
        id: 'inv_0001', number: 'INV-2026-00001', order: { id: 'ord_0001' }, status: 'PAID', issuedAt: order.placedAt.toISOString(),
        subtotal: usd(order.subtotal), taxTotal: { minorUnits: String(order.taxTotal) }, total: { minorUnits: String(order.total) },
        lines: order.lineItems.map((li) => ({
          lineItem: { id: li.id }, description: li.title, quantity: li.quantity, unitPrice: { minorUnits: String(li.unitPrice), currency: 'USD' },
          taxLines: li.taxLines.map((t) => ({ title: t.title, rate: t.rate, amount: { minorUnits: String(t.amount), currency: 'USD' } })),
          total: { minorUnits: String(li.total) },
        })),
      })
    })

    it('numbers invoices in order and leaves unpaid ones ISSUED', async () => {
      const unpaid = invoiced.find((o) => o.financialStatus === 'AUTHORIZED') as WorldOrder
      const id = `inv_${unpaid.id.slice(4)}`
      const { data } = await execute(app, `query($id: ID!) { invoice(id: $id) { number status } }`, { id }, staff())
      assert.deepEqual(data?.['invoice'], { number: `INV-2026-${String(invoiced.indexOf(unpaid) + 1).padStart(5, '0')}`, status: 'ISSUED' })
    })

    it("returns null for another customer's invoice, for anonymous viewers and for unknown ids, without errors", async () => {
      for (const [id, who] of [['inv_0001', customer('c_1002')], ['inv_0001', ANONYMOUS], ['inv_9999', staff()]] as const) {
        const { data, errors } = await execute(app, INVOICE, { id }, who)
        assert.equal(errors, undefined)
        assert.equal(data?.['invoice'], null)
      }
    })

    it('lets staff read any invoice', async () => {
      const { data } = await execute(app, `query { invoice(id: "inv_0002") { id order { id } } }`, {}, staff())
      assert.deepEqual(data?.['invoice'], { id: 'inv_0002', order: { id: 'ord_0002' } })
    })
  })

  describe('payment', () => {
    it('returns a captured payment with its authorization and capture, the capture pointing at the authorization', async () => {
      const order = orderOf('ord_0001')
      const { data, errors } = await execute(app, PAYMENT, { id: 'pay_0001' }, customer('c_1001'))
      assert.equal(errors, undefined)
      assert.deepEqual(data?.['payment'], {
        id: 'pay_0001', order: { id: 'ord_0001' }, gateway: 'stripe', authorized: usd(order.total), captured: { minorUnits: String(order.total) },
        refunded: { minorUnits: '0' },
        transactions: [
          { id: 'txn_0001_authorization', kind: 'AUTHORIZATION', status: 'SUCCESS', amount: { minorUnits: String(order.total), currency: 'USD' },
            pspReference: 'psp_auth_0001', parentTransactionId: null, idempotencyKey: null, createdAt: order.placedAt.toISOString() },
          { id: 'txn_0001_capture', kind: 'CAPTURE', status: 'SUCCESS', amount: { minorUnits: String(order.total), currency: 'USD' },
            pspReference: 'psp_capt_0001', parentTransactionId: 'txn_0001_authorization', idempotencyKey: null,
            createdAt: new Date(order.placedAt.getTime() + 86_400_000).toISOString() },
        ],
      })
    })

    it('shows a cancelled order payment as authorized then voided, nothing captured', async () => {
      const cancelled = world.orders.find((o) => o.status === 'CANCELLED') as WorldOrder
      const { data } = await execute(app, `query($id: ID!) { payment(id: $id) { captured { minorUnits } transactions { kind parentTransactionId } } }`,
        { id: `pay_${cancelled.id.slice(4)}` }, staff())
      assert.deepEqual(data?.['payment'], {
        captured: { minorUnits: '0' },
        transactions: [{ kind: 'AUTHORIZATION', parentTransactionId: null }, { kind: 'VOID', parentTransactionId: `txn_${cancelled.id.slice(4)}_authorization` }],
      })
    })

    it("returns null for another customer's payment exactly like a missing one", async () => {
      const other = await execute(app, PAYMENT, { id: 'pay_0001' }, customer('c_1002'))
      const missing = await execute(app, PAYMENT, { id: 'pay_nope' }, customer('c_1002'))
      assert.deepEqual(other, missing)
      assert.equal(other.data?.['payment'], null)
    })
  })

  describe('journalEntries', () => {
    it('refuses anonymous viewers with UNAUTHENTICATED and customers with FORBIDDEN', async () => {
      const anonymous = await execute(app, JOURNAL, { filter: {} }, ANONYMOUS)
      assert.equal(anonymous.errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED')
      const shopper = await execute(app, JOURNAL, { filter: {} }, customer('c_1001'))
      assert.equal(shopper.errors?.[0]?.extensions?.['code'], 'FORBIDDEN')
      assert.equal(shopper.data, null)
    })

    it("posts an invoice's receivable, revenue and tax in one balanced entry", async () => {
      const order = orderOf('ord_0001')
      const { data } = await execute(app, JOURNAL, { filter: { sourceDocumentUri: 'gid://finance/Invoice/inv_0001' } }, staff())
      assert.deepEqual(data?.['journalEntries'].nodes, [{
        id: 'je_0001_invoice', postedAt: order.placedAt.toISOString(), sourceDocumentUri: 'gid://finance/Invoice/inv_0001',
        lines: [
          { accountCode: '1100', direction: 'DEBIT', amount: usd(order.total) },
          { accountCode: '4000', direction: 'CREDIT', amount: usd(order.total - order.taxTotal) },
          { accountCode: '2200', direction: 'CREDIT', amount: usd(order.taxTotal) },
        ],
      }])
    })

    it('pages through every entry in posting order without gaps or repeats', async () => {
      const ids: string[] = []
      const postedAts: string[] = []
      let after: string | null = null
      let pages = 0
      do {
        const response: GraphQLResponse = await execute(app, JOURNAL, { filter: {}, first: 40, after }, staff())
        assert.equal(response.errors, undefined)
        const page = response.data?.['journalEntries']
        ids.push(...page.nodes.map((n: { id: string }) => n.id))
        postedAts.push(...page.nodes.map((n: { postedAt: string }) => n.postedAt))
        assert.equal(page.pageInfo.hasPreviousPage, after !== null)
        assert.equal(page.pageInfo.endCursor, page.edges.at(-1).cursor)
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null
        pages++
      } while (after)
      // an invoice entry per invoiced order, a capture entry per paid order, a fee entry per payout
      assert.equal(ids.length, invoiced.length + paid.length + 3)
      assert.equal(new Set(ids).size, ids.length)
      assert.equal(pages, Math.ceil(ids.length / 40))
      assert.deepEqual(postedAts, [...postedAts].sort())
    })

    it('filters by account and by posting window', async () => {
      const fees = await execute(app, JOURNAL, { filter: { accountCode: '6100' } }, staff())
      assert.deepEqual(fees.data?.['journalEntries'].nodes.map((n: { id: string }) => n.id), ['je_stl_0001_fees', 'je_stl_0002_fees', 'je_stl_0003_fees'])
      const order = orderOf('ord_0001')
      const window = await execute(app, JOURNAL, {
        filter: { postedAfter: new Date(order.placedAt.getTime() - 1).toISOString(), postedBefore: new Date(order.placedAt.getTime() + 1).toISOString() },
      }, staff())
      assert.deepEqual(window.data?.['journalEntries'].nodes.map((n: { id: string }) => n.id), ['je_0001_invoice'])
    })

    it('answers BAD_USER_INPUT for a malformed cursor, a cursor of another connection and a page over the maximum', async () => {
      const cases = [
        { filter: {}, after: 'not-a-cursor' },
        { filter: {}, after: encodeCursor('SettlementConnection', ['2026-01-01T00:00:00.000Z', 'stl_0001']) },
        { filter: {}, after: encodeCursor('JournalEntryConnection', ['yesterday', 'je_1']) },
        { filter: {}, first: testConfig.maxPageSize + 1 },
        { filter: {}, first: -1 },
      ]
      for (const variables of cases) {
        const { errors } = await execute(app, JOURNAL, variables, staff())
        assert.equal(errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT', JSON.stringify(variables))
      }
    })
  })

  describe('settlements', () => {
    it('lists the payouts by date with gross, fees and net', async () => {
      const { data, errors } = await execute(app, SETTLEMENTS, {}, staff())
      assert.equal(errors, undefined)
      const nodes = data?.['settlements'].nodes
      assert.deepEqual(nodes.map((n: { id: string; status: string }) => [n.id, n.status]), [
        ['stl_0001', 'MATCHED'], ['stl_0002', 'DISCREPANCY'], ['stl_0003', 'PARTIALLY_MATCHED'],
      ])
      for (const n of nodes) assert.equal(BigInt(n.net.minorUnits), BigInt(n.gross.minorUnits) - BigInt(n.fees.minorUnits))
      assert.deepEqual(nodes[0].unmatchedTransactions, [])
    })

    it('shows the capture the PSP settled short as unmatched on the DISCREPANCY payout', async () => {
      const eurPaid = paid.filter((o) => o.currency === 'EUR')
      const short = eurPaid[2] as WorldOrder
      const { data } = await execute(app, SETTLEMENTS, { status: 'DISCREPANCY' }, staff())
      assert.deepEqual(data?.['settlements'].nodes.map((n: { id: string; unmatchedTransactions: unknown }) => [n.id, n.unmatchedTransactions]), [
        ['stl_0002', [{ id: `txn_${short.id.slice(4)}_capture`, kind: 'CAPTURE', amount: { minorUnits: String(short.total), currency: 'EUR' } }]],
      ])
    })

    it('pages with first and after', async () => {
      const first = await execute(app, SETTLEMENTS, { first: 2 }, staff())
      assert.equal(first.data?.['settlements'].pageInfo.hasNextPage, true)
      const rest = await execute(app, SETTLEMENTS, { first: 2, after: first.data?.['settlements'].pageInfo.endCursor }, staff())
      assert.deepEqual(rest.data?.['settlements'].nodes.map((n: { id: string }) => n.id), ['stl_0003'])
      assert.equal(rest.data?.['settlements'].pageInfo.hasNextPage, false)
    })

    it('is staff only, and refuses bad cursors and page sizes', async () => {
      assert.equal((await execute(app, SETTLEMENTS, {}, ANONYMOUS)).errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED')
      assert.equal((await execute(app, SETTLEMENTS, {}, customer('c_1001'))).errors?.[0]?.extensions?.['code'], 'FORBIDDEN')
      assert.equal((await execute(app, SETTLEMENTS, { after: 'x' }, staff())).errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
      assert.equal((await execute(app, SETTLEMENTS, { first: 1000 }, staff())).errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
    })
  })
})
