import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import pino from 'pino'
import type { Bus } from './bus.ts'
import { startConsumer } from './consumer.ts'
import type { Database } from './db.ts'
import { subjectMatches, type EventEnvelope } from './events.ts'
import { listDeadLetters, replayDeadLetter } from './deadLetters.ts'
import { createInProcessBus } from './inProcessBus.ts'
import { createNatsBus, deleteNatsNamespace } from './natsBus.ts'
import { eventPublisher } from './outbox.ts'
import { startRelay } from './relay.ts'
import { testDatabaseFor } from './testHooks.ts'
import { eventually, openSchemaTestDatabase } from './testing.ts'

const logger = pino({ level: 'silent' })

type NoPayload = Readonly<Record<string, never>>
/** What the tests' "orders" publishes: the consumers here read envelopes, not payloads. */
interface TestOrderEvents {
  OrderNoted: { readonly i?: number }
  OrderOrdered: NoPayload
  OrderBroken: NoPayload
  OrderReplayed: NoPayload
  OrderLogged: NoPayload
  OrderAged: NoPayload
  OrderFlaky: NoPayload
}
const publish = eventPublisher<TestOrderEvents>('orders', {
  OrderNoted: 'Order', OrderOrdered: 'Order', OrderBroken: 'Order', OrderReplayed: 'Order', OrderLogged: 'Order', OrderAged: 'Order', OrderFlaky: 'Order',
})


const natsUrl = process.env['NATS_URL']
const drivers: { name: string; make: () => Promise<Bus>; cleanup: () => Promise<void> }[] = [
  { name: 'the in-process bus', make: async () => createInProcessBus(), cleanup: async () => {} },
]
if (natsUrl) {
  const namespace = `test${process.pid}${Date.now().toString(36)}`
  drivers.push({
    name: 'NATS JetStream',
    make: () => createNatsBus({ servers: natsUrl, logger, namespace }),
    cleanup: () => deleteNatsNamespace(natsUrl, namespace),
  })
}

for (const driver of drivers) describe(`outbox, relay and idempotent consumers on ${driver.name}`, () => {
  let bus: Bus
  // two "services": orders writes events, finance consumes them
  const db = testDatabaseFor(() => openSchemaTestDatabase(['orders', 'finance']), {
    setup: async (db) => {
      await db.exec('create table finance.effects (event_id uuid, aggregate_id text, sequence int)')
      bus = await driver.make()
    },
    teardown: async () => {
      await bus.close()
      await driver.cleanup()
    },
  })

  const effects = async (aggregateId: string) =>
    (await db.query<{ sequence: number }>('select sequence from finance.effects where aggregate_id = $1 order by sequence', [aggregateId])).rows.map((r) => r.sequence)

  const recordEffect = {
    name: 'finance.test-effects',
    subjects: ['commerce.orders.>'],
    apply: async (tx: Pick<Database, 'query'>, event: EventEnvelope) => {
      await tx.query('insert into finance.effects values ($1, $2, $3)', [event.id, event.aggregateId, event.sequence])
    },
  }

  it('publishes committed events in order per aggregate and applies each once', async () => {
    const consumer = await startConsumer({ db, bus, schema: 'finance', logger }, recordEffect)
    const relay = startRelay({ db, bus, schema: 'orders', logger })
    for (let i = 0; i < 5; i++) {
      await db.transaction((tx) => publish(tx, { type: 'OrderNoted', aggregateId: 'o_1', payload: { i } }))
    }
    await eventually('the effect', async () => (await effects('o_1')).length === 5)
    assert.deepEqual(await effects('o_1'), [1, 2, 3, 4, 5])
    await relay.stop()
    await consumer.stop()
  })

  it('holds an aggregate back while its earlier event is retried, and lets other aggregates pass', async () => {
    const applied: string[] = []
    let failedOnce = false
    const consumer = await startConsumer(
      { db, bus, schema: 'finance', logger, backoffMs: () => 150 },
      {
        name: 'finance.ordering',
        subjects: ['commerce.orders.Order.OrderOrdered'],
        apply: async (_tx, event) => {
          const label = `${event.aggregateId}#${event.sequence}`
          if (label === 'o_a#1' && !failedOnce) {
            failedOnce = true
            throw new Error('first attempt fails')
          }
          applied.push(label)
        },
      },
    )
    const relay = startRelay({ db, bus, schema: 'orders', logger })
    for (const id of ['o_a', 'o_b', 'o_a', 'o_b']) {
      await db.transaction((tx) => publish(tx, { type: 'OrderOrdered', aggregateId: id, payload: {} }))
    }
    await eventually('the effect', async () => applied.length === 4)
    assert.ok(applied.indexOf('o_a#1') < applied.indexOf('o_a#2'), applied.join(' '))
    assert.ok(applied.indexOf('o_b#1') < applied.indexOf('o_b#2'), applied.join(' '))
    if (bus.kind === 'nats') assert.ok(applied.indexOf('o_b#2') < applied.indexOf('o_a#1'), `other aggregates pass a retried one: ${applied.join(' ')}`)
    await relay.stop()
    await consumer.stop()
  })

  it('publishes nothing for a transaction that rolled back', async () => {
    await assert.rejects(
      db.transaction(async (tx) => {
        await publish(tx, { type: 'OrderNoted', aggregateId: 'o_rollback', payload: {} })
        throw new Error('the state change failed')
      }),
    )
    const { rows } = await db.query(`select 1 from orders.outbox where aggregate_id = 'o_rollback'`)
    assert.equal(rows.length, 0)
  })

  it('delivers an event committed while no relay ran once a relay starts (crash before publish)', async () => {
    await db.transaction((tx) => publish(tx, { type: 'OrderNoted', aggregateId: 'o_crash', payload: {} }))
    const consumer = await startConsumer({ db, bus, schema: 'finance', logger }, recordEffect)
    const relay = startRelay({ db, bus, schema: 'orders', logger })
    await eventually('the effect', async () => (await effects('o_crash')).length === 1)
    await relay.stop()
    await consumer.stop()
  })

  it('applies a redelivered event once', async () => {
    const consumer = await startConsumer({ db, bus, schema: 'finance', logger }, recordEffect)
    const event = await db.transaction((tx) => publish(tx, { type: 'OrderNoted', aggregateId: 'o_dup', payload: {} }))
    await bus.publish(event)
    await bus.publish({ ...event })
    await bus.publish({ ...event })
    await eventually('the effect', async () => (await effects('o_dup')).length > 0)
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.deepEqual(await effects('o_dup'), [1])
    await consumer.stop()
  })

  it('retries a failing handler with backoff, then dead-letters the event and moves on', async () => {
    let calls = 0
    const consumer = await startConsumer(
      { db, bus, schema: 'finance', logger, maxDeliveries: 3, backoffMs: () => 5 },
      {
        name: 'finance.always-fails',
        subjects: ['commerce.orders.Order.OrderBroken'],
        apply: async () => {
          calls++
          throw new Error('cannot apply')
        },
      },
    )
    const event = await db.transaction((tx) => publish(tx, { type: 'OrderBroken', aggregateId: 'o_dead', payload: {} }))
    await bus.publish(event)
    await eventually('the effect', async () => (await db.query('select 1 from finance.dead_letters where event_id = $1', [event.id])).rowCount > 0)
    assert.equal(calls, 3)
    const { rows } = await db.query<{ consumer: string; attempts: number; error: string }>(
      'select consumer, attempts, error from finance.dead_letters where event_id = $1',
      [event.id],
    )
    assert.deepEqual(rows, [{ consumer: 'finance.always-fails', attempts: 3, error: 'cannot apply' }])
    await consumer.stop()
  })

  it('replays a dead letter to the consumer that gave up, and only to it', async () => {
    let healthy = false
    const flaky = await startConsumer(
      { db, bus, schema: 'finance', logger, maxDeliveries: 2, backoffMs: () => 5 },
      {
        name: 'finance.until-fixed',
        subjects: ['commerce.orders.Order.OrderReplayed'],
        apply: async (tx, event) => {
          if (!healthy) throw new Error('not yet')
          await tx.query('insert into finance.effects values ($1, $2, $3)', [event.id, event.aggregateId, event.sequence])
        },
      },
    )
    const relays = [startRelay({ db, bus, schema: 'orders', logger }), startRelay({ db, bus, schema: 'finance', logger })]
    const event = await db.transaction((tx) => publish(tx, { type: 'OrderReplayed', aggregateId: 'o_replay', payload: {} }))
    await eventually('the effect', async () => (await listDeadLetters(db, 'finance.until-fixed')).length === 1)
    const [letter] = await listDeadLetters(db, 'finance.until-fixed')
    assert.equal(letter?.event.id, event.id)

    healthy = true
    await replayDeadLetter(db, letter!)
    await eventually('the effect', async () => (await effects('o_replay')).length === 1)
    const [replayed] = await listDeadLetters(db, 'finance.until-fixed')
    assert.ok(replayed?.replayedAt instanceof Date)
    for (const relay of relays) await relay.stop()
    await flaky.stop()
  })

  it('numbers published rows in publication order, the order a tail sees them in', async () => {
    const seen: EventEnvelope[] = []
    const tail = await bus.tail({ subjects: ['commerce.orders.Order.OrderLogged'], onEvent: (event) => void seen.push(event) })
    // a row written while no relay ran is numbered when it is first published, before later ones
    const early = await db.transaction((tx) => publish(tx, { type: 'OrderLogged', aggregateId: 'o_log1', payload: {} }))
    const relay = startRelay({ db, bus, schema: 'orders', logger })
    for (const id of ['o_log2', 'o_log3']) {
      await db.transaction((tx) => publish(tx, { type: 'OrderLogged', aggregateId: id, payload: {} }))
    }
    await eventually('the effect', async () => seen.length === 3)
    const positions = seen.map((event) => event.logPosition as number)
    assert.deepEqual(seen.map((event) => event.aggregateId), ['o_log1', 'o_log2', 'o_log3'])
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b))
    const { rows } = await db.query<{ id: string; log_position: string }>(
      `select id, log_position from orders.outbox where type = 'OrderLogged' order by log_position`,
    )
    assert.deepEqual(rows.map((row) => [row.id, Number(row.log_position)]), seen.map((event) => [event.id, event.logPosition]))
    assert.equal(rows[0]?.id, early.id)
    await relay.stop()
    await tail.stop()
  })

  it('prunes published rows older than the retention, and keeps the rest', async () => {
    const old = await db.transaction((tx) => publish(tx, { type: 'OrderAged', aggregateId: 'o_old', payload: {} }))
    const relay = startRelay({ db, bus, schema: 'orders', logger })
    await relay.flush()
    await relay.stop()
    await db.query(`update orders.outbox set published_at = now() - interval '2 hours' where id = $1`, [old.id])
    const fresh = await db.transaction((tx) => publish(tx, { type: 'OrderAged', aggregateId: 'o_new', payload: {} }))
    const pruning = startRelay({ db, bus, schema: 'orders', logger, retentionMs: 3600_000, pruneEveryMs: 0 })
    await pruning.flush()
    await eventually('the effect', async () => (await db.query('select 1 from orders.outbox where id = $1', [old.id])).rowCount === 0)
    assert.equal((await db.query('select 1 from orders.outbox where id = $1 and published_at is not null', [fresh.id])).rowCount, 1)
    await pruning.stop()
  })

  it('recovers when a handler fails only at first', async () => {
    let calls = 0
    const consumer = await startConsumer(
      { db, bus, schema: 'finance', logger, backoffMs: () => 5 },
      {
        name: 'finance.flaky',
        subjects: ['commerce.orders.Order.OrderFlaky'],
        apply: async (tx, event) => {
          calls++
          if (calls === 1) throw new Error('timeout')
          await tx.query('insert into finance.effects values ($1, $2, $3)', [event.id, event.aggregateId, event.sequence])
        },
      },
    )
    const event = await db.transaction((tx) => publish(tx, { type: 'OrderFlaky', aggregateId: 'o_flaky', payload: {} }))
    await bus.publish(event)
    await eventually('the effect', async () => (await effects('o_flaky')).length > 0)
    assert.equal(calls, 2)
    assert.deepEqual(await effects('o_flaky'), [1])
    await consumer.stop()
  })
})

describe('subjectMatches', () => {
  it('matches NATS wildcards', () => {
    assert.equal(subjectMatches('commerce.orders.>', 'commerce.orders.Order.OrderPlaced'), true)
    assert.equal(subjectMatches('commerce.*.Order.OrderPlaced', 'commerce.orders.Order.OrderPlaced'), true)
    assert.equal(subjectMatches('commerce.orders.>', 'commerce.orders'), false)
    assert.equal(subjectMatches('commerce.finance.>', 'commerce.orders.Order.OrderPlaced'), false)
    assert.equal(subjectMatches('commerce.orders.Order', 'commerce.orders.Order.OrderPlaced'), false)
  })
})
