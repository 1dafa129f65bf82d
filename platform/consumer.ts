import type { FastifyBaseLogger } from 'fastify'
import { contextFrom, inService, SpanKind, traced, tracingEnabled } from './tracing.ts'
import type { Bus, ConsumerHandle, Delivery, TailSpec } from './bus.ts'
import type { SubgraphName } from './subgraphRegistry.ts'
import type { Database, Queryable } from './db.ts'
import { eventOf, type EventEnvelope, type EventOf, type EventTypeOf } from './events.ts'

/**
 * What a service does with events of some subjects, typed by the publisher's event map: `Events`
 * is the map of the service whose events `subjects` select (`OrdersEvents` for
 * `commerce.orders.>`), `Type` the types they select (all of the map's by default; narrower for a
 * subject that names one type). A handler that reads no payload may leave both out.
 *
 * `prepare` and `apply` are methods, not function-typed properties: TypeScript compares method
 * parameters bivariantly, which lets a handler of one map's events stand in the platform's list of
 * handlers of any events (`EventHandler<any>` in subgraphServer.ts).
 */
export interface EventHandler<Events = Record<string, unknown>, Type extends EventTypeOf<Events> = EventTypeOf<Events>, Prepared = unknown> {
  /** Durable consumer name, e.g. `inventory.order-events`. */
  readonly name: string
  readonly subjects: readonly string[]
  /**
   * The types that have an effect, when `subjects` select more (a stream's subject pattern): an
   * event of another type is acked without touching the database (no transaction, no
   * processed-event record; a redelivery is ignored again). All types when absent.
   */
  readonly types?: readonly Type[]
  /**
   * Work outside the database transaction (a call to a payment provider). Must be idempotent:
   * it runs again when the event is redelivered. Not called for an event already applied.
   */
  prepare?(event: EventOf<Events, Type>): Promise<Prepared>
  /** The effect, in the same transaction that records the event as processed. */
  apply(tx: Queryable, event: EventOf<Events, Type>, prepared: Prepared): Promise<void>
}

/**
 * A delivered envelope, taken as one of `Events`' of a type in `Type`. This is the one place the
 * bus's untyped envelopes meet the maps: the subjects a handler subscribes to select one source's
 * events (the subject is `commerce.<source>.<aggregate>.<type>`), and that source could append
 * only payloads its map allows for their type (outbox.ts eventPublisher). Nothing is checked at
 * run time: the payloads are a published contract, changed only by adding fields.
 */

export interface ConsumerOptions {
  readonly db: Database
  readonly bus: Bus
  readonly schema: SubgraphName
  readonly logger: FastifyBaseLogger
  /** Deliveries before an event is dead-lettered. */
  readonly maxDeliveries?: number
  /** Delay before redelivery number n (1-based). */
  readonly backoffMs?: (attempt: number) => number
  /** Told how each delivery ended, and how long after the event occurred (metrics). */
  readonly onOutcome?: (consumer: string, outcome: ConsumerOutcome, lagSeconds: number) => void
}

/**
 * How one delivery ended: `applied` (its effect committed), `duplicate` (applied before: a
 * redelivery), `skipped` (a type the consumer has no use for), `retry` (failed, redelivered
 * later), `deferred` (a dependency is down: redelivered later, not counted as a failure),
 * `dead_lettered` (failed for the last time).
 */
export type ConsumerOutcome = 'applied' | 'duplicate' | 'skipped' | 'retry' | 'deferred' | 'dead_lettered'

/**
 * Thrown by a handler when the event cannot be handled yet through no fault of its own: a
 * dependency is known to be down (a payment provider whose circuit breaker is open). The event is
 * redelivered after `retryAfterMs`, and the delivery does not count towards `maxDeliveries`, so
 * an outage, however long, dead-letters nothing.
 */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError'
  constructor(message: string, readonly retryAfterMs: number, options?: { readonly cause?: unknown }) {
    super(message, options)
  }
}

/** The longest a deferred event waits before its next delivery, whatever the handler asked. */
const MAX_DEFERRAL_MS = 60_000

export const defaultBackoff = (attempt: number): number => Math.min(5000, 100 * 2 ** (attempt - 1))

/**
 * Runs a handler exactly once per event id: the id is inserted into `processed_events` in the
 * same transaction as the effect, so a redelivered event finds it and changes nothing. Failures
 * are retried with backoff; after `maxDeliveries` the event goes to `dead_letters` (and the
 * bus's dead-letter subject) and the consumer moves on.
 */
export async function startConsumer<Events = Record<string, unknown>, Type extends EventTypeOf<Events> = EventTypeOf<Events>, Prepared = unknown>(
  options: ConsumerOptions,
  handler: EventHandler<Events, Type, Prepared>,
): Promise<ConsumerHandle> {
  const { db, bus, schema, logger } = options
  const maxDeliveries = options.maxDeliveries ?? 5
  const backoff = options.backoffMs ?? defaultBackoff

  const handled = handler.types ? new Set<string>(handler.types) : null
  // per event in hand, its deliveries deferred by RetryLaterError: the buses count every delivery
  // in `attempt`, and these are not failures (forgotten once the event is acked or dead-lettered)
  const deferrals = new Map<string, number>()

  const alreadyApplied = async (event: EventEnvelope) =>
    (await db.query(`select 1 from ${schema}.processed_events where consumer = $1 and event_id = $2`, [handler.name, event.id])).rowCount > 0

  const outcome = (event: EventEnvelope, what: ConsumerOutcome) =>
    options.onOutcome?.(handler.name, what, Math.max(0, (Date.now() - Date.parse(event.occurredAt)) / 1000))

  const onDelivery = async (delivery: Delivery) => {
    const { event } = delivery
    if (handled && !handled.has(event.type)) {
      outcome(event, 'skipped')
      return delivery.ack()
    }
    try {
      // the look before the transaction only spares `prepare` (a provider call) for an event
      // already applied; without one, the insert into processed_events below decides alone
      let applied = false
      if (!handler.prepare || !(await alreadyApplied(event))) {
        const typed = eventOf<Events, Type>(event)
        const prepared = handler.prepare ? await handler.prepare(typed) : (undefined as Prepared)
        await db.transaction(async (tx) => {
          const fresh = await tx.query(
            `insert into ${schema}.processed_events (consumer, event_id) values ($1, $2) on conflict do nothing`,
            [handler.name, event.id],
          )
          if (fresh.rowCount === 0) return // a concurrent delivery applied it first
          await handler.apply(tx, typed, prepared)
          applied = true
        })
      }
      await delivery.ack()
      deferrals.delete(event.id)
      outcome(event, applied ? 'applied' : 'duplicate')
    } catch (error) {
      if (error instanceof RetryLaterError) {
        deferrals.set(event.id, (deferrals.get(event.id) ?? 0) + 1)
        logger.info({ consumer: handler.name, eventId: event.id, retryAfterMs: error.retryAfterMs, reason: error.message }, 'event deferred')
        outcome(event, 'deferred')
        await delivery.nak(Math.min(MAX_DEFERRAL_MS, Math.max(1, error.retryAfterMs)))
        return
      }
      const message = error instanceof Error ? error.message : String(error)
      const failures = delivery.attempt - (deferrals.get(event.id) ?? 0)
      if (failures >= maxDeliveries) {
        deferrals.delete(event.id)
        logger.error({ err: error, consumer: handler.name, eventId: event.id, type: event.type }, 'event dead-lettered')
        try {
          await db.query(
            `insert into ${schema}.dead_letters (consumer, event_id, event, error, attempts) values ($1, $2, $3::jsonb, $4, $5)`,
            [handler.name, event.id, JSON.stringify(event), message, delivery.attempt],
          )
          await bus.deadLetter(handler.name, event, message)
          await delivery.ack()
          outcome(event, 'dead_lettered')
        } catch (deadLetterError) {
          logger.error({ err: deadLetterError, consumer: handler.name }, 'could not dead-letter event; will retry')
          await delivery.nak(backoff(delivery.attempt))
        }
        return
      }
      logger.warn({ err: error, consumer: handler.name, eventId: event.id, attempt: failures }, 'event handling failed; will retry')
      outcome(event, 'retry')
      await delivery.nak(backoff(failures))
    }
  }
  // a CONSUMER span per delivery, in the trace of the work that appended the event
  const tracedDelivery = (delivery: Delivery) =>
    traced(`consume ${delivery.event.type}`, {
      kind: SpanKind.CONSUMER,
      parent: inService(schema, contextFrom(delivery.event.traceContext)),
      attributes: {
        'messaging.system': 'nats', 'messaging.operation.type': 'process', 'messaging.consumer.group.name': handler.name,
        'messaging.message.id': delivery.event.id, 'commerce.event.type': delivery.event.type, 'commerce.delivery.attempt': delivery.attempt,
      },
    }, () => onDelivery(delivery))
  return bus.consume({ name: handler.name, subjects: handler.subjects, onDelivery: tracingEnabled() ? tracedDelivery : onDelivery })
}

/** A tail (bus.ts TailSpec) whose events are typed by their publisher's map, like EventHandler's. */
export interface EventTailSpec<Events, Type extends EventTypeOf<Events>> extends Omit<TailSpec, 'onEvent'> {
  readonly onEvent: (event: EventOf<Events, Type>) => void
}

/** `bus.tail` with the events typed by their publisher's map (see eventOf). */
export function tailEvents<Events, Type extends EventTypeOf<Events>>(bus: Bus, spec: EventTailSpec<Events, Type>): Promise<ConsumerHandle> {
  return bus.tail({ ...spec, onEvent: (event) => spec.onEvent(eventOf<Events, Type>(event)) })
}
