import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, describe, it } from 'node:test'
import pino from 'pino'
import type { Bus } from './bus.ts'
import type { EventEnvelope } from './events.ts'
import { createNatsBus, deleteNatsNamespace } from './natsBus.ts'
import { eventually } from './testing.ts'

const natsUrl = process.env['NATS_URL']
const logger = pino({ level: 'silent' })

const envelope = (aggregateId: string, sequence: number): EventEnvelope => ({
  id: randomUUID(), type: 'OrderSlow', source: 'orders', aggregateType: 'Order', aggregateId, sequence,
  occurredAt: new Date().toISOString(), traceContext: {}, payload: {},
})

// the ack wait is 10 s: a consumer that died holds its messages that long, a live one keeps them
describe('NATS JetStream: a live consumer keeps what it has in hand past the ack wait', { skip: natsUrl ? false : 'NATS_URL is not set' }, () => {
  const namespace = `test${process.pid}${Date.now().toString(36)}a`
  let bus: Bus
  before(async () => {
    bus = await createNatsBus({ servers: natsUrl as string, logger, namespace })
  })
  after(async () => {
    await bus.close()
    await deleteNatsNamespace(natsUrl as string, namespace)
  })

  it('a handler slower than the ack wait, and the events queued behind it, are each delivered once', async () => {
    const deliveries: { sequence: number; attempt: number }[] = []
    const consumer = await bus.consume({
      name: 'orders.slow',
      subjects: ['commerce.orders.Order.OrderSlow'],
      onDelivery: async ({ event, attempt, ack }) => {
        deliveries.push({ sequence: event.sequence, attempt })
        if (event.sequence === 1) await sleep(13_000)
        await ack()
      },
    })
    try {
      for (let sequence = 1; sequence <= 3; sequence++) await bus.publish(envelope('o_slow', sequence))
      await eventually('the three events', () => deliveries.length >= 3, 20_000)
      // past another ack wait: a message the server thought abandoned would come back by now
      await sleep(1_000)
      assert.deepEqual(deliveries, [1, 2, 3].map((sequence) => ({ sequence, attempt: 1 })))
    } finally {
      await consumer.stop()
    }
  })
})
