import { randomUUID } from 'node:crypto'
import type { SubgraphName } from './subgraphRegistry.ts'
import type { Queryable } from './db.ts'
import type { EventEnvelope, EventOf, EventTypeOf } from './events.ts'
import { traceCarrier, traced } from './tracing.ts'

/**
 * What each event of a service's map is about: the aggregate whose sequence numbers it, and the
 * third token of its subject (`commerce.<source>.<aggregate>.<type>`), which consumers filter on.
 */
export type EventAggregates<Events> = { readonly [Type in EventTypeOf<Events>]: string }

/** An event to append: its type, the id of the aggregate it is about, and that type's payload. */
export interface NewEvent<Payload, Type extends string> {
  readonly type: Type
  readonly aggregateId: string
  readonly payload: Payload
  readonly traceContext?: Readonly<Record<string, string>>
}

/**
 * One event of `Events` whose type is one of `Type`, as a union discriminated by `type`. Mapped
 * per type rather than `NewEvent<Events[Type], Type>`: a `type` known only as a union ('A' | 'B')
 * would then accept either type's payload for either.
 */
export type NewEventOf<Events, Type extends EventTypeOf<Events>> = { [T in Type]: NewEvent<Events[T], T> }[Type]

/** Appends one of a service's events inside the caller's transaction (see eventPublisher). */
export type EventPublisher<Events> = <Type extends EventTypeOf<Events>>(tx: Queryable, event: NewEventOf<Events, Type>) => Promise<EventOf<Events, Type>>

/**
 * The publisher of one service's events, bound once to its source (the schema whose outbox it
 * writes) and to the aggregate of each type, so a call names only the type, the aggregate id and
 * a payload the compiler checks against that type's.
 *
 * The event is appended to the schema's outbox inside the caller's transaction: it is published
 * only if the state change it describes commits, and then surely (the relay retries until it
 * does). The NOTIFY is delivered at commit and wakes the relay at once.
 */
export function eventPublisher<Events>(source: SubgraphName, aggregates: EventAggregates<Events>): EventPublisher<Events> {
  const append = async <Type extends EventTypeOf<Events>>(tx: Queryable, event: NewEventOf<Events, Type>) => {
    const aggregateType = aggregates[event.type]
    const id = randomUUID()
    const occurredAt = new Date().toISOString()
    // the work appending the event is its cause: consumers continue its trace (the given context
    // is kept when no trace is active, e.g. tracing off)
    const active = traceCarrier()
    const traceContext = Object.keys(active).length > 0 ? active : (event.traceContext ?? {})
    // one round trip: the aggregate's next sequence (its row lock orders the aggregate's writers),
    // the outbox row numbered with it, and the NOTIFY that wakes the relay at commit
    const { rows } = await tx.query<{ sequence: string }>(
      `with numbered as (
         insert into ${source}.aggregate_sequences (aggregate_type, aggregate_id, last_sequence) values ($4, $5, 1)
         on conflict (aggregate_type, aggregate_id) do update set last_sequence = ${source}.aggregate_sequences.last_sequence + 1
         returning last_sequence
       ), appended as (
         insert into ${source}.outbox (id, type, source, aggregate_type, aggregate_id, sequence, occurred_at, trace_context, payload)
         select $1::uuid, $2::text, $3::text, $4, $5, last_sequence, $6::timestamptz, $7::jsonb, $8::jsonb from numbered
         returning sequence
       )
       select appended.sequence::text as sequence, pg_notify($9, '')::text as notified from appended`,
      [id, event.type, source, aggregateType, event.aggregateId, occurredAt, JSON.stringify(traceContext), JSON.stringify(event.payload), outboxChannel(source)],
    )
    const envelope: EventEnvelope<Events[Type], Type> = {
      id,
      type: event.type,
      source,
      aggregateType,
      aggregateId: event.aggregateId,
      sequence: Number(rows[0]?.sequence),
      occurredAt,
      traceContext,
      payload: event.payload,
    }
    const published = PUBLISHED_IN.get(tx)
    if (published) published.push(envelope)
    else PUBLISHED_IN.set(tx, [envelope])
    return envelope
  }
  return <Type extends EventTypeOf<Events>>(tx: Queryable, event: NewEventOf<Events, Type>) =>
    traced(`outbox append ${event.type}`, { onlyInTrace: true, attributes: { 'commerce.event.type': event.type, 'commerce.event.source': source } }, () => append(tx, event))
}

/** The events each open transaction has appended, for what runs once it commits (cache invalidation). */
const PUBLISHED_IN = new WeakMap<Queryable, EventEnvelope[]>()

/** The events `tx` appended to the outbox so far. */
export const publishedIn = (tx: Queryable): readonly EventEnvelope[] => PUBLISHED_IN.get(tx) ?? []

export async function insertOutboxRow(tx: Queryable, schema: string, envelope: EventEnvelope): Promise<void> {
  await tx.query(
    `insert into ${schema}.outbox (id, type, source, aggregate_type, aggregate_id, sequence, occurred_at, trace_context, payload)
     values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb)`,
    [envelope.id, envelope.type, envelope.source, envelope.aggregateType, envelope.aggregateId, envelope.sequence, envelope.occurredAt,
      JSON.stringify(envelope.traceContext), JSON.stringify(envelope.payload)],
  )
  await tx.query(`select pg_notify($1, '')`, [outboxChannel(schema)])
}

export const outboxChannel = (schema: string): string => `outbox_${schema}`
