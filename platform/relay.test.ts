import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import pino from 'pino'
import type { Bus } from './bus.ts'
import type { EventEnvelope } from './events.ts'
import { eventPublisher } from './outbox.ts'
import { startRelay } from './relay.ts'
import { testDatabaseFor } from './testHooks.ts'
import { eventually, openSchemaTestDatabase } from './testing.ts'

const logger = pino({ level: 'silent' })

interface TestEvents {
  OrderNoted: { readonly i: number }
}
const publish = eventPublisher<TestEvents>('orders', { OrderNoted: 'Order' })

/** A bus of the NATS kind that refuses the publishes `refuse` picks and stores a dedupe id once, as JetStream does. */
function fakeNatsBus(refuse: (event: EventEnvelope, attempt: number) => boolean): Bus & { stored: EventEnvelope[] } {
  const stored: EventEnvelope[] = []
  const attempts = new Map<string, number>()
  const seen = new Set<string>()
  return {
    kind: 'nats',
    stored,
    async publish(event, options) {
      const attempt = (attempts.get(event.id) ?? 0) + 1
      attempts.set(event.id, attempt)
      await new Promise((resolve) => setTimeout(resolve, 1))
      if (refuse(event, attempt)) throw new Error(`refused ${event.id}`)
      // like JetStream's Nats-Msg-Id: the same row published twice is stored once
      const dedupeId = options?.dedupeId ?? event.id
      if (!seen.has(dedupeId)) {
        seen.add(dedupeId)
        stored.push(event)
      }
    },
    consume: () => Promise.reject(new Error('not used')),
    tail: () => Promise.reject(new Error('not used')),
    pending: async () => 0,
    deadLetter: async () => {},
    close: async () => {},
  }
}

describe('relay publishing to a bus that may refuse', () => {
  const db = testDatabaseFor(() => openSchemaTestDatabase(['orders']))

  it('stops a batch at a refused row and sends it and the rest again, in order', async () => {
    const events = await db.transaction(async (tx) => {
      const appended: EventEnvelope[] = []
      for (let i = 1; i <= 5; i++) appended.push(await publish(tx, { type: 'OrderNoted', aggregateId: 'o_batch', payload: { i } }))
      return appended
    })
    const third = events[2] as EventEnvelope
    const bus = fakeNatsBus((event, attempt) => event.id === third.id && attempt === 1)
    const relay = startRelay({ db, bus, schema: 'orders', logger, pollMs: 20 })
    try {
      await eventually('every row published', async () => (await db.query(`select 1 from orders.outbox where published_at is null`)).rowCount === 0)
    } finally {
      await relay.stop()
    }
    // nothing after the refused row went out before it: the aggregate's order holds
    assert.deepEqual(
      bus.stored.map((e) => (e.payload as { i: number }).i),
      [1, 2, 3, 4, 5],
    )
    const { rows } = await db.query<{ n: string }>(`select count(*)::text as n from orders.outbox where log_position is not null`)
    assert.equal(rows[0]?.n, '5')
  })

  it('publishes a batch in position order, numbering the rows in that order', async () => {
    await db.transaction(async (tx) => {
      for (let i = 1; i <= 4; i++) await publish(tx, { type: 'OrderNoted', aggregateId: `o_order_${i}`, payload: { i } })
    })
    const bus = fakeNatsBus(() => false)
    const relay = startRelay({ db, bus, schema: 'orders', logger, pollMs: 20 })
    try {
      await eventually('every row published', async () => (await db.query(`select 1 from orders.outbox where published_at is null`)).rowCount === 0)
    } finally {
      await relay.stop()
    }
    assert.deepEqual(bus.stored.map((e) => (e.payload as { i: number }).i), [1, 2, 3, 4])
    const positions = bus.stored.map((e) => e.logPosition as number)
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b))
  })
})
