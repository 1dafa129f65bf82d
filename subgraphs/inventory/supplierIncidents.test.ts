import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import pino from 'pino'
import { createIncidentRecorder, type IncidentRecorder } from '../../platform/incidents.ts'
import { connectionKind } from '../../platform/pagination.ts'
import { customer, eventually, execute, openSubgraphTestApp, staff, testConfig, type SubgraphTestApp } from '../../platform/testing.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../../platform/testWebhook.ts'
import { ANONYMOUS } from '../../platform/viewer.ts'
import { buildWorld } from '../../seed/world.ts'
import { submitForNeed } from './consumers/suggestReplenishment.ts'
import { kit } from './kit.ts'
import { inventory } from './subgraph.ts'
import { builtinKeyWith, createBuiltinSupplier } from './suppliers/builtinSupplier.ts'
import { httpSupplier } from './suppliers/httpSupplier.ts'
import { SupplierUnavailableError } from './suppliers/supplier.ts'
import { SUPPLIER_INCIDENT_SUMMARY, supplierServices } from './suppliers/supplierServices.ts'
import { freshLevels } from './testSupport.ts'

const EAST = 'loc_wh_east'
const fresh = freshLevels(buildWorld(), EAST)
const OPEN_MS = 300
const REFUSED = 'the supplier refused the connection'

const INCIDENTS = `query($status: IncidentStatus, $first: Int, $after: String) { supplierIncidents(status: $status, first: $first, after: $after) {
  nodes { id integration status summary lastError openedAt resolvedAt notifiedAt }
  pageInfo { hasNextPage endCursor }
} }`

interface IncidentNode {
  readonly id: string
  readonly integration: string
  readonly status: string
  readonly summary: string
  readonly lastError: string | null
  readonly resolvedAt: string | null
  readonly notifiedAt: string | null
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('supplier incidents', () => {
  // accepted in full once it answers (a late answer would time the probe out)
  const supplier = createBuiltinSupplier({ lateDelayMs: 1000 })
  let supplierUrl = ''
  let receiver: WebhookReceiver
  let t: SubgraphTestApp
  const config = () => ({
    ...testConfig, supplierUrl, incidentWebhookUrl: receiver.url, supplierTimeoutMs: 200, supplierRetries: 0, circuitOpenMs: OPEN_MS, supplierPlacementAttempts: 100,
  })
  const incidentRows = async () =>
    (await t.test.db.query(`select integration, status, last_error as "lastError", notified_at is not null as notified,
       resolution_notified_at is not null as "resolutionNotified", notify_error as "notifyError" from inventory.incidents order by opened_at, id`)).rows
  const statusOf = async (id: string) => (await t.db.query<{ status: string }>(`select status from inventory.replenishments where id = $1`, [id])).rows[0]?.status
  const submit = (id: string) =>
    t.db.transaction((tx) =>
      submitForNeed(tx, { id, destinationLocationId: EAST, supplierId: 'sup_acme', needKey: `test/${id}`, expectedAt: new Date(Date.UTC(2026, 11, 20)), sku: fresh[0]!.sku, quantity: 12 }),
    )

  before(async () => {
    receiver = await startWebhookReceiver()
    // the supplier's address, with nobody listening there: connections are refused
    supplierUrl = await supplier.listen('127.0.0.1', 0)
    await supplier.close()
    t = await openSubgraphTestApp(inventory, { deps: { config: config() } })
    await t.app.ready()
  })
  after(async () => {
    await t.close()
    await receiver.close()
    await supplier.close()
  })

  it('raises one incident when the breaker opens, shared with another replica, keeps it through a failed probe, resolves it when the breaker closes, and posts each once', async () => {
    const incidents = t.app.supplierIncidents as IncidentRecorder
    const orders = [0, 1, 2, 3, 4].map((n) => builtinKeyWith('accept', `repl_incident${n}`))
    for (const id of orders) assert.equal(await submit(id), true)
    // five placements refused in a row open the breaker (no retries)
    await t.app.placementWorker?.runOnce()
    await incidents.settled()
    assert.deepEqual(await incidentRows(), [{ integration: 'supplier', status: 'OPEN', lastError: REFUSED, notified: true, resolutionNotified: false, notifyError: null }])
    assert.deepEqual(receiver.received.map((n) => [n.event, n.service, n.incident.integration, n.incident.status]), [['incident.opened', kit.name, 'supplier', 'OPEN']])
    assert.equal(receiver.received[0]?.incident.summary, SUPPLIER_INCIDENT_SUMMARY)
    assert.doesNotMatch(JSON.stringify(receiver.received), new RegExp(new URL(supplierUrl).port), 'no address in what the webhook gets')

    // another replica over the same database, whose breaker opens too: the same incident, not posted again
    const replica = supplierServices(httpSupplier({ url: supplierUrl, apiKey: null }), { db: t.test.db, config: config(), logger: pino({ level: 'silent' }) })
    for (let n = 0; n < 5; n++) {
      const failure = await replica.supplier.placeOrder({
        idempotencyKey: orders[0]!, supplierId: 'sup_acme', destinationLocationId: EAST, requestedArrival: null, lines: [{ sku: fresh[0]!.sku, quantity: 12 }],
      }).then(() => null, (error: unknown) => error)
      assert.ok(failure instanceof SupplierUnavailableError)
    }
    assert.equal(replica.supplier.state(), 'open')
    await replica.incidents.settled()
    assert.equal((await incidentRows()).length, 1)
    assert.equal(receiver.received.length, 1)

    // the worker takes the orders again once the breaker lets a probe through: it fails, open again, the same incident
    await eventually('a second placement', async () => (await t.db.query<{ n: number }>(`select max(placement_attempts)::int as n from inventory.replenishments where id = any($1::text[])`, [orders])).rows[0]!.n >= 2)
    await t.app.placementWorker?.runOnce() // joins the pass that took it, if it is still running
    await incidents.settled()
    assert.deepEqual((await incidentRows()).map((r) => r['status']), ['OPEN'])
    assert.equal(receiver.received.length, 1)

    // the supplier answers again: the next probe is accepted, the breaker closes, the incident is resolved
    await supplier.listen('127.0.0.1', Number(new URL(supplierUrl).port))
    await eventually('the orders placed', async () => {
      for (const id of orders) if ((await statusOf(id)) !== 'ORDERED') return false
      return true
    }, 15_000)
    await incidents.settled()
    // the replica's breaker closes on its own next call: nothing open is left for it to resolve
    await pause(OPEN_MS + 20)
    const ack = await replica.supplier.placeOrder({
      idempotencyKey: orders[0]!, supplierId: 'sup_acme', destinationLocationId: EAST, requestedArrival: null, lines: [{ sku: fresh[0]!.sku, quantity: 12 }],
    })
    assert.equal(ack.outcome, 'accepted')
    assert.equal(replica.supplier.state(), 'closed')
    await replica.incidents.close()

    const [opened, resolved] = receiver.received
    assert.deepEqual(receiver.received.map((n) => [n.event, n.incident.status]), [['incident.opened', 'OPEN'], ['incident.resolved', 'RESOLVED']])
    assert.equal(resolved?.incident.id, opened?.incident.id)
    assert.ok(Date.parse(String(resolved?.incident.resolvedAt)) >= Date.parse(String(opened?.incident.openedAt)))
    assert.deepEqual(await incidentRows(), [{ integration: 'supplier', status: 'RESOLVED', lastError: REFUSED, notified: true, resolutionNotified: true, notifyError: null }])
  })

  it('lists the supplier incidents to staff, newest first, by status, a page at a time', async () => {
    const another = createIncidentRecorder({ db: t.test.db, schema: kit.name, integration: 'supplier', logger: pino({ level: 'silent' }), webhook: null })
    await pause(2) // opened_at is kept to the millisecond: the next incident opens strictly later
    another.opened('The supplier is failing again', 'the supplier did not answer within 200 ms')
    await another.close()

    const all = await execute(t.app, INCIDENTS, {}, staff())
    assert.equal(all.errors, undefined)
    const nodes = all.data?.['supplierIncidents'].nodes as IncidentNode[]
    assert.deepEqual(nodes.map((n) => [n.integration, n.status, n.summary, n.lastError, n.resolvedAt !== null, n.notifiedAt !== null]), [
      ['supplier', 'OPEN', 'The supplier is failing again', 'the supplier did not answer within 200 ms', false, false],
      ['supplier', 'RESOLVED', SUPPLIER_INCIDENT_SUMMARY, REFUSED, true, true],
    ])

    const open = await execute(t.app, INCIDENTS, { status: 'OPEN' }, staff())
    assert.deepEqual(open.data?.['supplierIncidents'].nodes.map((n: IncidentNode) => n.id), [nodes[0]?.id])

    const first = (await execute(t.app, INCIDENTS, { first: 1 }, staff())).data?.['supplierIncidents']
    assert.equal(first.pageInfo.hasNextPage, true)
    const rest = (await execute(t.app, INCIDENTS, { first: 1, after: first.pageInfo.endCursor }, staff())).data?.['supplierIncidents']
    assert.equal(rest.pageInfo.hasNextPage, false)
    assert.deepEqual([...first.nodes, ...rest.nodes].map((n: IncidentNode) => n.id), nodes.map((n) => n.id))
  })

  it('is staff only, and refuses bad cursors and page sizes', async () => {
    assert.equal((await execute(t.app, INCIDENTS, {}, ANONYMOUS)).errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED')
    assert.equal((await execute(t.app, INCIDENTS, {}, customer('c_1001'))).errors?.[0]?.extensions?.['code'], 'FORBIDDEN')
    assert.equal((await execute(t.app, INCIDENTS, { after: 'x' }, staff())).errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
    assert.equal((await execute(t.app, INCIDENTS, { first: 1000 }, staff())).errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
    assert.equal((await execute(t.app, INCIDENTS, { first: -1 }, staff())).errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
    // a cursor of finance's incidents is one of another connection
    const financeCursor = connectionKind('IncidentConnection', ['instant', 'string']).encode([new Date().toISOString(), 'inc_x'])
    assert.equal((await execute(t.app, INCIDENTS, { after: financeCursor }, staff())).errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
  })
})
