import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import pino from 'pino'
import { startConsumer, tailEvents, type EventHandler } from './consumer.ts'
import type { Queryable } from './db.ts'
import { subjectOf, type EventEnvelope, type EventOf } from './events.ts'
import { createInProcessBus } from './inProcessBus.ts'
import { eventPublisher } from './outbox.ts'
import { startRelay } from './relay.ts'
import { testDatabaseFor } from './testHooks.ts'
import { openSchemaTestDatabase } from './testing.ts'

/** A service's event map the way subgraphs/<name>/events.ts declares one. */
interface ShelfEvents {
  ItemShelved: { readonly itemId: string; readonly quantity: number }
  ItemRemoved: { readonly itemId: string; readonly reason: string }
}
const publishShelfEvent = eventPublisher<ShelfEvents>('orders', { ItemShelved: 'Item', ItemRemoved: 'Item' })

/**
 * Only compiled, never called: each `@ts-expect-error` fails `npm run typecheck` ("unused
 * directive") the day the line under it compiles, that is, the day the typing stops refusing it.
 */
function refusedByTheCompiler(tx: Queryable, eitherType: 'ItemShelved' | 'ItemRemoved'): unknown[] {
  const handler: EventHandler<ShelfEvents, 'ItemShelved'> = {
    name: 'never.started',
    subjects: ['commerce.orders.Item.ItemShelved'],
    apply: async (_tx, event) => {
      // @ts-expect-error: ItemShelved's payload has no reason (that is ItemRemoved's)
      void event.payload.reason
      // @ts-expect-error: this handler takes ItemShelved only, so its events are never ItemRemoved
      if (event.type === 'ItemRemoved') return
    },
  }
  return [
    handler,
    // @ts-expect-error: ItemRemoved's payload is not ItemShelved's
    publishShelfEvent(tx, { type: 'ItemShelved', aggregateId: 'i_1', payload: { itemId: 'i_1', reason: 'sold' } }),
    // @ts-expect-error: ItemShelved's payload needs its quantity
    publishShelfEvent(tx, { type: 'ItemShelved', aggregateId: 'i_1', payload: { itemId: 'i_1' } }),
    // @ts-expect-error: a type known only as one of two takes neither payload
    publishShelfEvent(tx, { type: eitherType, aggregateId: 'i_1', payload: { itemId: 'i_1', reason: 'sold' } }),
    // @ts-expect-error: the map has no such type
    publishShelfEvent(tx, { type: 'ItemSold', aggregateId: 'i_1', payload: { itemId: 'i_1', reason: 'sold' } }),
    // @ts-expect-error: a payload that is a string, not ItemRemoved's object
    publishShelfEvent(tx, { type: 'ItemRemoved', aggregateId: 'i_1', payload: 'i_1' }),
  ]
}

describe('typed events', () => {
  const logger = pino({ level: 'silent' })
  const db = testDatabaseFor(() => openSchemaTestDatabase(['orders', 'finance']))

  it('refuses at compile time a payload that is not its type\'s (see refusedByTheCompiler)', () => {
    assert.equal(typeof refusedByTheCompiler, 'function')
  })

  it('delivers what a typed publisher appended, unchanged, to a consumer and a tail typed by the same map', async () => {
    const bus = createInProcessBus()
    const consumed: EventOf<ShelfEvents>[] = []
    const tailed: EventOf<ShelfEvents, 'ItemRemoved'>[] = []
    const consumer = await startConsumer({ db, bus, schema: 'finance', logger }, {
      name: 'finance.shelf-events',
      subjects: ['commerce.orders.Item.>'],
      apply: async (_tx, event: EventOf<ShelfEvents>) => {
        // narrowed by the switch, read without a cast
        switch (event.type) {
          case 'ItemShelved':
            assert.equal(typeof event.payload.quantity, 'number')
            break
          case 'ItemRemoved':
            assert.equal(typeof event.payload.reason, 'string')
            break
        }
        consumed.push(event)
      },
    })
    const tail = await tailEvents<ShelfEvents, 'ItemRemoved'>(bus, {
      subjects: [subjectOf({ source: 'orders', aggregateType: 'Item', type: 'ItemRemoved' })],
      onEvent: (event) => void tailed.push(event),
    })
    const relay = startRelay({ db, bus, schema: 'orders', logger })
    try {
      const published: EventEnvelope[] = await db.transaction(async (tx) => [
        await publishShelfEvent(tx, { type: 'ItemShelved', aggregateId: 'i_1', payload: { itemId: 'i_1', quantity: 3 } }),
        await publishShelfEvent(tx, { type: 'ItemRemoved', aggregateId: 'i_1', payload: { itemId: 'i_1', reason: 'sold' }, traceContext: { traceparent: 't' } }),
      ])
      await relay.flush()

      assert.deepEqual(
        published.map(({ type, source, aggregateType, aggregateId, sequence, traceContext, payload }) => ({ type, source, aggregateType, aggregateId, sequence, traceContext, payload })),
        [
          { type: 'ItemShelved', source: 'orders', aggregateType: 'Item', aggregateId: 'i_1', sequence: 1, traceContext: {}, payload: { itemId: 'i_1', quantity: 3 } },
          { type: 'ItemRemoved', source: 'orders', aggregateType: 'Item', aggregateId: 'i_1', sequence: 2, traceContext: { traceparent: 't' }, payload: { itemId: 'i_1', reason: 'sold' } },
        ],
      )
      // the relay adds the log position; every other field arrives as appended
      assert.deepEqual(consumed.map(({ logPosition: _, ...event }) => event), published)
      assert.deepEqual(consumed.map(subjectOf), ['commerce.orders.Item.ItemShelved', 'commerce.orders.Item.ItemRemoved'])
      assert.deepEqual(tailed.map((event) => [event.id, event.payload.reason]), [[published[1]?.id, 'sold']])
    } finally {
      await relay.stop()
      await tail.stop()
      await consumer.stop()
      await bus.close()
    }
  })
})
