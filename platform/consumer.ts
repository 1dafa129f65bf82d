import type { FastifyBaseLogger } from 'fastify'
import type { Bus, ConsumerHandle, Delivery } from './bus.ts'
import type { SubgraphName } from './config.ts'
import type { Database, Queryable } from './db.ts'
import type { EventEnvelope } from './events.ts'

/** What a service does with events of some subjects. */
export interface EventHandler<Prepared = unknown> {
  /** Durable consumer name, e.g. `inventory.order-events`. */
  readonly name: string
  readonly subjects: readonly string[]
  /**
   * Work outside the database transaction (a call to a payment provider). Must be idempotent:
   * it runs again when the event is redelivered. Not called for an event already applied.
   */
  readonly prepare?: (event: EventEnvelope) => Promise<Prepared>
  /** The effect, in the same transaction that records the event as processed. */
  readonly apply: (tx: Queryable, event: EventEnvelope, prepared: Prepared) => Promise<void>
}

export interface ConsumerOptions {
  readonly db: Database
  readonly bus: Bus
  readonly schema: SubgraphName
  readonly logger: FastifyBaseLogger
  /** Deliveries before an event is dead-lettered. */
  readonly maxDeliveries?: number
  /** Delay before redelivery number n (1-based). */
  readonly backoffMs?: (attempt: number) => number
}

export const defaultBackoff = (attempt: number): number => Math.min(5000, 100 * 2 ** (attempt - 1))

/**
 * Runs a handler exactly once per event id: the id is inserted into `processed_events` in the
 * same transaction as the effect, so a redelivered event finds it and changes nothing. Failures
 * are retried with backoff; after `maxDeliveries` the event goes to `dead_letters` (and the
 * bus's dead-letter subject) and the consumer moves on.
 */
export async function startConsumer<Prepared>(options: ConsumerOptions, handler: EventHandler<Prepared>): Promise<ConsumerHandle> {
  const { db, bus, schema, logger } = options
  const maxDeliveries = options.maxDeliveries ?? 5
  const backoff = options.backoffMs ?? defaultBackoff

  const alreadyApplied = async (event: EventEnvelope) =>
    (await db.query(`select 1 from ${schema}.processed_events where consumer = $1 and event_id = $2`, [handler.name, event.id])).rowCount > 0

  const onDelivery = async (delivery: Delivery) => {
    const { event } = delivery
    try {
      if (!(await alreadyApplied(event))) {
        const prepared = handler.prepare ? await handler.prepare(event) : (undefined as Prepared)
        await db.transaction(async (tx) => {
          const fresh = await tx.query(
            `insert into ${schema}.processed_events (consumer, event_id) values ($1, $2) on conflict do nothing`,
            [handler.name, event.id],
          )
          if (fresh.rowCount === 0) return // a concurrent delivery applied it first
          await handler.apply(tx, event, prepared)
        })
      }
      await delivery.ack()
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      if (delivery.attempt >= maxDeliveries) {
        logger.error({ err: error, consumer: handler.name, eventId: event.id, type: event.type }, 'event dead-lettered')
        try {
          await db.query(
            `insert into ${schema}.dead_letters (consumer, event_id, event, error, attempts) values ($1, $2, $3::jsonb, $4, $5)`,
            [handler.name, event.id, JSON.stringify(event), message, delivery.attempt],
          )
          await bus.deadLetter(handler.name, event, message)
          await delivery.ack()
        } catch (deadLetterError) {
          logger.error({ err: deadLetterError, consumer: handler.name }, 'could not dead-letter event; will retry')
          await delivery.nak(backoff(delivery.attempt))
        }
        return
      }
      logger.warn({ err: error, consumer: handler.name, eventId: event.id, attempt: delivery.attempt }, 'event handling failed; will retry')
      await delivery.nak(backoff(delivery.attempt))
    }
  }
  return bus.consume({ name: handler.name, subjects: handler.subjects, onDelivery })
}
