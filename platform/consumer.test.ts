import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import pino from 'pino'
import type { Bus } from './bus.ts'
import { RetryLaterError, startConsumer, type ConsumerOutcome } from './consumer.ts'
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
  const namespace = `test${process.pid}${Date.now().toString(36)}c`
  drivers.push({
    name: 'NATS JetStream',
    make: () => createNatsBus({ servers: natsUrl, logger, namespace }),
    cleanup: () => deleteNatsNamespace(natsUrl, namespace),
  })
}

// each test its own type (and so subject): a durable consumer on NATS reads its stream from the start
const envelope = (type: string, aggregateId: string): EventEnvelope => ({
  id: randomUUID(), type, source: 'orders', aggregateType: 'Order', aggregateId, sequence: 1,
  occurredAt: new Date().toISOString(), traceContext: {}, payload: {},
})

for (const driver of drivers) describe(`a consumer whose handler asks to retry later, on ${driver.name}`, () => {
  let bus: Bus
  const db = testDatabaseFor(() => openSchemaTestDatabase(['finance']), {
    setup: async () => {
      bus = await driver.make()
    },
    teardown: async () => {
      await bus.close()
      await driver.cleanup()
    },
  })
  const deadLetters = async (eventId: string) =>
    (await db.query<{ attempts: number }>('select attempts from finance.dead_letters where event_id = $1', [eventId])).rows

  it('redelivers a deferred event after the delay it asked for, without spending its deliveries', async () => {
    const outcomes: ConsumerOutcome[] = []
    const delays: number[] = []
    let deliveries = 0
    let last = 0
    const consumer = await startConsumer(
      { db, bus, schema: 'finance', logger, maxDeliveries: 2, backoffMs: () => 5, onOutcome: (_, outcome) => outcomes.push(outcome) },
      {
        name: 'finance.waits',
        subjects: ['commerce.orders.Order.OrderWaited'],
        apply: async () => {
          const now = Date.now()
          if (last) delays.push(now - last)
          last = now
          // five deliveries deferred: more than maxDeliveries, and none of them a failure
          if (++deliveries <= 5) throw new RetryLaterError('the provider is down', 30)
        },
      },
    )
    try {
      const event = envelope('OrderWaited', 'o_wait')
      await bus.publish(event)
      await eventually('the effect', () => outcomes.includes('applied'))
      assert.deepEqual(outcomes, ['deferred', 'deferred', 'deferred', 'deferred', 'deferred', 'applied'])
      assert.ok(delays.every((ms) => ms >= 25), `redelivered after the delay asked for: ${delays.join(', ')} ms`)
      assert.deepEqual(await deadLetters(event.id), [])
    } finally {
      await consumer.stop()
    }
  })

  it('still dead-letters after maxDeliveries real failures, deferrals in between not counted', async () => {
    const outcomes: ConsumerOutcome[] = []
    let deliveries = 0
    const consumer = await startConsumer(
      { db, bus, schema: 'finance', logger, maxDeliveries: 2, backoffMs: () => 5, onOutcome: (_, outcome) => outcomes.push(outcome) },
      {
        name: 'finance.fails',
        subjects: ['commerce.orders.Order.OrderFailed'],
        apply: async () => {
          deliveries++
          if (deliveries % 2 === 1) throw new RetryLaterError('the provider is down', 5)
          throw new Error('a real failure')
        },
      },
    )
    try {
      const event = envelope('OrderFailed', 'o_fail')
      await bus.publish(event)
      await eventually('the dead letter', async () => (await deadLetters(event.id)).length === 1)
      assert.deepEqual(outcomes, ['deferred', 'retry', 'deferred', 'dead_lettered'])
      assert.deepEqual(await deadLetters(event.id), [{ attempts: 4 }])
    } finally {
      await consumer.stop()
    }
  })
})
