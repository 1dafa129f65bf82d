// What a consumer does when its service shuts down, on both buses: the event in the handler's
// hands is finished and acked, none is taken after the stop, and a retry's wait does not hold it.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import pino from 'pino'
import type { Bus } from './bus.ts'
import { startConsumer, type ConsumerOutcome } from './consumer.ts'
import type { Queryable } from './db.ts'
import type { EventEnvelope } from './events.ts'
import { createInProcessBus } from './inProcessBus.ts'
import { createNatsBus, deleteNatsNamespace } from './natsBus.ts'
import { testDatabaseFor } from './testHooks.ts'
import { eventually, openSchemaTestDatabase } from './testing.ts'

const logger = pino({ level: 'silent' })
const natsUrl = process.env['NATS_URL']
const drivers: { name: string; make: () => Promise<Bus>; cleanup: () => Promise<void> }[] = [
  { name: 'the in-process bus', make: async () => createInProcessBus(), cleanup: async () => {} },
]
if (natsUrl) {
  const namespace = `stop${process.pid}${Date.now().toString(36)}`
  drivers.push({ name: 'NATS JetStream', make: () => createNatsBus({ servers: natsUrl, logger, namespace }), cleanup: () => deleteNatsNamespace(natsUrl, namespace) })
}

const envelope = (aggregateId: string, sequence: number): EventEnvelope => ({
  id: randomUUID(),
  type: 'OrderNoted',
  source: 'orders',
  aggregateType: 'Order',
  aggregateId,
  sequence,
  occurredAt: new Date().toISOString(),
  traceContext: {},
  payload: {},
})

/** A promise and the function that settles it. */
function gate(): { readonly opened: Promise<void>; open(): void } {
  let open = () => {}
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { opened, open }
}

for (const driver of drivers) describe(`a consumer stopping on ${driver.name}`, () => {
  let bus: Bus
  const db = testDatabaseFor(() => openSchemaTestDatabase(['finance']), {
    setup: async (db) => {
      await db.exec('create table finance.effects (event_id uuid, aggregate_id text)')
      bus = await driver.make()
    },
    teardown: async () => {
      await bus.close()
      await driver.cleanup()
    },
  })
  const effects = async (aggregateId: string) =>
    (await db.query<{ event_id: string }>('select event_id from finance.effects where aggregate_id = $1', [aggregateId])).rows.map((row) => row.event_id)
  const record = async (tx: Queryable, event: EventEnvelope) => {
    await tx.query('insert into finance.effects values ($1, $2)', [event.id, event.aggregateId])
  }

  it('finishes and acks the event in hand, and takes no other', async () => {
    const name = `finance.stop-${randomUUID().slice(0, 8)}`
    const inHand = gate()
    const release = gate()
    const handled: string[] = []
    const consumer = await startConsumer({ db, bus, schema: 'finance', logger }, {
      name,
      subjects: ['commerce.orders.>'],
      apply: async (tx, event) => {
        handled.push(event.id)
        inHand.open()
        await release.opened
        await record(tx, event)
      },
    })
    const aggregate = `o_${randomUUID().slice(0, 8)}`
    const first = envelope(aggregate, 1)
    const second = envelope(aggregate, 2)
    // the in-process bus resolves a publish once its consumers acked: what the relay waits for
    const published = [bus.publish(first), bus.publish(second)].map((p) => p.then(() => 'acked', () => 'not delivered'))
    await inHand.opened
    const stopped = consumer.stop()
    await new Promise((resolve) => setTimeout(resolve, 200))
    release.open()
    await stopped

    assert.deepEqual(handled, [first.id], 'nothing was taken after the stop')
    assert.deepEqual(await effects(aggregate), [first.id], 'the event in hand committed')
    if (bus.kind === 'in-process') {
      assert.deepEqual(await Promise.all(published), ['acked', 'not delivered'])
      return
    }
    // NATS: the next consumer under the same name gets the second event, and never the first (it was acked)
    await Promise.all(published)
    const outcomes: ConsumerOutcome[] = []
    const next = await startConsumer(
      { db, bus, schema: 'finance', logger, onOutcome: (_consumer, outcome) => void outcomes.push(outcome) },
      { name, subjects: ['commerce.orders.>'], apply: record },
    )
    await eventually('the second event applied by the next consumer', async () => (await effects(aggregate)).length === 2, 15_000)
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.deepEqual(outcomes, ['applied'], 'the first event was not delivered again')
    await next.stop()
  })

  it('stops at once while an event waits for its retry, leaving it undelivered', async () => {
    const failed = gate()
    let attempts = 0
    const event = envelope(`o_${randomUUID().slice(0, 8)}`, 1)
    const consumer = await startConsumer({ db, bus, schema: 'finance', logger, backoffMs: () => 30_000 }, {
      name: `finance.retry-${randomUUID().slice(0, 8)}`,
      subjects: ['commerce.orders.>'],
      // a new durable on NATS reads the stream from its start: the earlier tests' events pass
      apply: async (_tx, delivered) => {
        if (delivered.id !== event.id) return
        attempts++
        failed.open()
        throw new Error('not now')
      },
    })
    const published = bus.publish(event).then(() => 'acked', () => 'not delivered')
    await failed.opened
    await new Promise((resolve) => setTimeout(resolve, 50))
    const started = Date.now()
    await consumer.stop()
    assert.ok(Date.now() - started < 2000, `the stop took ${Date.now() - started} ms`)
    assert.equal(attempts, 1)
    if (bus.kind === 'in-process') assert.equal(await published, 'not delivered')
  })
})
