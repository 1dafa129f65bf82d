import { randomUUID } from 'node:crypto'
import type { SubgraphName } from './config.ts'
import type { Queryable } from './db.ts'
import type { EventEnvelope } from './events.ts'

export interface NewEvent<Payload> {
  readonly type: string
  readonly aggregateType: string
  readonly aggregateId: string
  readonly payload: Payload
  readonly traceContext?: Readonly<Record<string, string>>
}

/**
 * Appends an event to the schema's outbox inside the caller's transaction: it is published only
 * if the state change it describes commits, and then surely (the relay retries until it does).
 * The NOTIFY is delivered at commit and wakes the relay at once.
 */
export async function appendEvent<Payload>(tx: Queryable, source: SubgraphName, event: NewEvent<Payload>): Promise<EventEnvelope<Payload>> {
  const { rows } = await tx.query<{ last_sequence: string }>(
    `insert into ${source}.aggregate_sequences (aggregate_type, aggregate_id, last_sequence) values ($1, $2, 1)
     on conflict (aggregate_type, aggregate_id) do update set last_sequence = ${source}.aggregate_sequences.last_sequence + 1
     returning last_sequence`,
    [event.aggregateType, event.aggregateId],
  )
  const envelope: EventEnvelope<Payload> = {
    id: randomUUID(),
    type: event.type,
    source,
    aggregateType: event.aggregateType,
    aggregateId: event.aggregateId,
    sequence: Number(rows[0]?.last_sequence),
    occurredAt: new Date().toISOString(),
    traceContext: event.traceContext ?? {},
    payload: event.payload,
  }
  await insertOutboxRow(tx, source, envelope)
  return envelope
}

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
