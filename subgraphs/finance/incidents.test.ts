import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import pino from 'pino'
import { createIncidentRecorder, type IncidentRecorder } from '../../platform/incidents.ts'
import { incidentWebhook } from '../../platform/incidentWebhook.ts'
import { customer, execute, openSubgraphTestApp, staff, testConfig, type SubgraphTestApp } from '../../platform/testing.ts'
import { ANONYMOUS } from '../../platform/viewer.ts'
import { buildWorld, type WorldOrder } from '../../seed/world.ts'
import { kit } from './kit.ts'
import { createSimulatedProvider } from './provider/simulatedProvider.ts'
import { finance } from './subgraph.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../../platform/testWebhook.ts'

const order = buildWorld().orders.find((o) => o.financialStatus === 'AUTHORIZED' && o.currency === 'USD') as WorldOrder
const OPEN_MS = 500

const CAPTURE = `mutation($input: PaymentCaptureInput!) { paymentCapture(input: $input) { payment { id } userErrors { code field message } } }`
const INCIDENTS = `query($status: IncidentStatus, $first: Int, $after: String) { incidents(status: $status, first: $first, after: $after) {
  nodes { id integration status summary lastError openedAt resolvedAt notifiedAt }
  pageInfo { hasNextPage endCursor }
} }`

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A logger whose lines the test reads. */
function capturedLogger() {
  const lines: { msg: string; error?: string }[] = []
  return { lines, logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) }) }
}

describe('payment provider incidents', () => {
  let receiver: WebhookReceiver
  let fixture: SubgraphTestApp
  const sim = createSimulatedProvider()
  let key = 0
  const capture = async () => {
    const { data } = await execute(fixture.app, CAPTURE, {
      input: { idempotencyKey: `incident-${++key}`, paymentId: `pay_${order.id.slice(4)}`, amount: { minorUnits: '100', currency: 'USD' } },
    }, staff())
    return data?.['paymentCapture'] as { payment: { id: string } | null; userErrors: { code: string; message: string }[] }
  }
  const incidentRows = async () =>
    (await fixture.test.db.query(`select integration, status, last_error as "lastError", notified_at is not null as notified,
       resolution_notified_at is not null as "resolutionNotified", notify_error as "notifyError" from finance.incidents order by opened_at, id`)).rows

  before(async () => {
    receiver = await startWebhookReceiver()
    fixture = await openSubgraphTestApp(finance, {
      deps: {
        provider: sim,
        config: { ...testConfig, incidentWebhookUrl: receiver.url, paymentProviderTimeoutMs: 50, paymentProviderRetries: 0, circuitOpenMs: OPEN_MS },
      },
    })
  })
  after(async () => {
    await fixture.close()
    await receiver.close()
  })

  it('raises one incident when the breaker opens, keeps it through a failed probe, resolves it when the breaker closes, and posts each once', async () => {
    const incidents = fixture.app.paymentIncidents as IncidentRecorder
    sim.faults.fail()
    // five failures in a row open the breaker: the fifth capture learns it as unavailable
    const codes = []
    for (let i = 0; i < 5; i++) codes.push((await capture()).userErrors[0]?.code)
    assert.deepEqual(codes, ['GATEWAY_TIMEOUT', 'GATEWAY_TIMEOUT', 'GATEWAY_TIMEOUT', 'GATEWAY_TIMEOUT', 'GATEWAY_UNAVAILABLE'])
    const calls = sim.faults.calls
    assert.deepEqual((await capture()).userErrors, [{
      code: 'GATEWAY_UNAVAILABLE', field: ['input', 'paymentId'],
      message: 'The payment provider is unavailable; nothing was recorded for the capture: retry in 1 s with the same idempotency key',
    }])
    assert.equal(sim.faults.calls, calls, 'the open breaker fails the capture without calling the provider')
    await incidents.settled()
    assert.deepEqual(receiver.received.map((n) => n.event), ['incident.opened'])

    // the probe after CIRCUIT_OPEN_MS fails: open again, the same incident
    await pause(OPEN_MS + 20)
    assert.equal((await capture()).userErrors[0]?.code, 'GATEWAY_UNAVAILABLE')
    assert.equal(fixture.app.paymentProvider?.state(), 'open')
    await incidents.settled()
    assert.equal(receiver.received.length, 1)

    sim.faults.recover()
    await pause(OPEN_MS + 20)
    assert.deepEqual((await capture()).userErrors, [])
    assert.equal(fixture.app.paymentProvider?.state(), 'closed')
    await incidents.settled()
    const [opened, resolved] = receiver.received
    assert.deepEqual(receiver.received.map((n) => [n.event, n.service, n.incident.integration, n.incident.status]), [
      ['incident.opened', kit.name, 'payment-provider', 'OPEN'], ['incident.resolved', kit.name, 'payment-provider', 'RESOLVED'],
    ])
    assert.equal(resolved?.incident.id, opened?.incident.id)
    assert.equal(opened?.incident.resolvedAt, null)
    assert.match(String(opened?.incident.lastError), /ECONNREFUSED/)
    assert.ok(Date.parse(String(resolved?.incident.resolvedAt)) >= Date.parse(String(opened?.incident.openedAt)))
    assert.deepEqual(await incidentRows(), [{
      integration: 'payment-provider', status: 'RESOLVED', lastError: opened?.incident.lastError, notified: true, resolutionNotified: true, notifyError: null,
    }])
  })

  it('lists incidents to staff, newest first, by status, a page at a time', async () => {
    const feed = createIncidentRecorder({ db: fixture.test.db, schema: kit.name, integration: 'partner-feed', logger: pino({ level: 'silent' }), webhook: null })
    feed.opened('The partner feed is failing', 'socket hang up')
    feed.resolved()
    await feed.settled()
    await pause(2) // opened_at is kept to the millisecond: the next incident opens strictly later
    feed.opened('The partner feed is failing again', null)
    await feed.close()

    const all = await execute(fixture.app, INCIDENTS, {}, staff())
    assert.equal(all.errors, undefined)
    const nodes = all.data?.['incidents'].nodes as { id: string; integration: string; status: string; summary: string; notifiedAt: string | null; resolvedAt: string | null }[]
    assert.deepEqual(nodes.map((n) => [n.integration, n.status]), [['partner-feed', 'OPEN'], ['partner-feed', 'RESOLVED'], ['payment-provider', 'RESOLVED']])
    assert.deepEqual(nodes.slice(0, 2).map((n) => n.summary), ['The partner feed is failing again', 'The partner feed is failing'])
    assert.match(String(nodes[2]?.summary), /^The payment provider \(simulated\) is failing: .* GATEWAY_UNAVAILABLE/)
    assert.deepEqual(nodes.map((n) => [n.notifiedAt !== null, n.resolvedAt !== null]), [[false, false], [false, true], [true, true]])

    const open = await execute(fixture.app, INCIDENTS, { status: 'OPEN' }, staff())
    assert.deepEqual(open.data?.['incidents'].nodes.map((n: { summary: string }) => n.summary), ['The partner feed is failing again'])

    const first = (await execute(fixture.app, INCIDENTS, { first: 2 }, staff())).data?.['incidents']
    assert.equal(first.pageInfo.hasNextPage, true)
    const rest = (await execute(fixture.app, INCIDENTS, { first: 2, after: first.pageInfo.endCursor }, staff())).data?.['incidents']
    assert.equal(rest.pageInfo.hasNextPage, false)
    assert.deepEqual([...first.nodes, ...rest.nodes].map((n: { id: string }) => n.id), nodes.map((n) => n.id))
  })

  it('is staff only, and refuses bad cursors and page sizes', async () => {
    assert.equal((await execute(fixture.app, INCIDENTS, {}, ANONYMOUS)).errors?.[0]?.extensions?.['code'], 'UNAUTHENTICATED')
    assert.equal((await execute(fixture.app, INCIDENTS, {}, customer('c_1001'))).errors?.[0]?.extensions?.['code'], 'FORBIDDEN')
    assert.equal((await execute(fixture.app, INCIDENTS, { after: 'x' }, staff())).errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
    assert.equal((await execute(fixture.app, INCIDENTS, { first: 1000 }, staff())).errors?.[0]?.extensions?.['code'], 'BAD_USER_INPUT')
  })

  describe('the incident recorder', () => {
    it('shares one open incident between replicas whose breakers open together, and posts it once', async () => {
      const before = receiver.received.length
      const replicas = [1, 2].map(() => createIncidentRecorder({
        db: fixture.test.db, schema: kit.name, integration: 'supplier-a', logger: pino({ level: 'silent' }), webhook: incidentWebhook({ url: receiver.url }),
      }))
      for (const replica of replicas) replica.opened('Supplier A is failing', 'timeout')
      await Promise.all(replicas.map((r) => r.settled()))
      for (const replica of replicas) replica.resolved()
      await Promise.all(replicas.map((r) => r.settled()))
      await Promise.all(replicas.map((r) => r.close()))
      assert.deepEqual(receiver.received.slice(before).map((n) => n.event), ['incident.opened', 'incident.resolved'])
      const { rows } = await fixture.test.db.query(`select status from finance.incidents where integration = 'supplier-a'`)
      assert.deepEqual(rows, [{ status: 'RESOLVED' }])
    })

    it('retries a failing webhook a few times, then logs and records the failure without throwing', async () => {
      const before = receiver.received.length
      const { lines, logger } = capturedLogger()
      receiver.answer = 503
      const recorder = createIncidentRecorder({
        db: fixture.test.db, schema: kit.name, integration: 'supplier-b', logger, webhook: incidentWebhook({ url: receiver.url, retries: 2, backoffMs: () => 1 }),
      })
      recorder.opened('Supplier B is failing', null)
      await recorder.settled()
      await recorder.close()
      receiver.answer = 204
      assert.equal(receiver.received.length - before, 3)
      assert.ok(lines.some((l) => l.msg === 'could not post the incident to INCIDENT_WEBHOOK_URL' && l.error === 'the webhook answered 503'))
      const { rows } = await fixture.test.db.query(`select status, notified_at as "notifiedAt", notify_error as "notifyError" from finance.incidents where integration = 'supplier-b'`)
      assert.deepEqual(rows, [{ status: 'OPEN', notifiedAt: null, notifyError: 'the webhook answered 503' }])
    })

    it('gives up on a webhook that does not answer in time, and on one in flight when it closes', async () => {
      receiver.answer = 'hang'
      const recorder = createIncidentRecorder({
        db: fixture.test.db, schema: kit.name, integration: 'supplier-c', logger: pino({ level: 'silent' }),
        webhook: incidentWebhook({ url: receiver.url, timeoutMs: 50, retries: 0 }),
      })
      recorder.opened('Supplier C is failing', null)
      await recorder.settled()
      receiver.answer = 204
      const { rows } = await fixture.test.db.query(`select notify_error as "notifyError" from finance.incidents where integration = 'supplier-c'`)
      assert.deepEqual(rows, [{ notifyError: 'the webhook did not answer within 50 ms' }])

      receiver.answer = 'hang'
      const closing = createIncidentRecorder({
        db: fixture.test.db, schema: kit.name, integration: 'supplier-d', logger: pino({ level: 'silent' }), webhook: incidentWebhook({ url: receiver.url }),
      })
      closing.opened('Supplier D is failing', null)
      await pause(50)
      const started = Date.now()
      await closing.close()
      receiver.answer = 204
      assert.ok(Date.now() - started < 1000, 'close() does not wait for the webhook timeout')
      closing.opened('ignored once closed', null)
      await closing.settled()
      const { rows: after } = await fixture.test.db.query(`select summary from finance.incidents where integration = 'supplier-d'`)
      assert.deepEqual(after, [{ summary: 'Supplier D is failing' }])
      await recorder.close()
    })
  })
})
