import type { SubgraphName } from './subgraphRegistry.ts'

/**
 * The one envelope every event travels in. `id` is stable across redelivery and replay (the
 * consumers' dedupe key); `sequence` numbers the events of one aggregate from 1. `Type` narrows
 * `type` for envelopes of a known event (see EventOf); on the wire it is a string.
 */
export interface EventEnvelope<Payload = unknown, Type extends string = string> {
  readonly id: string
  readonly type: Type
  /** The domain that wrote it; decides the stream and subject. */
  readonly source: SubgraphName
  readonly aggregateType: string
  readonly aggregateId: string
  readonly sequence: number
  /** RFC 3339 */
  readonly occurredAt: string
  /** W3C trace context of the request that caused it (`traceparent`, `tracestate`). */
  readonly traceContext: Readonly<Record<string, string>>
  readonly payload: Payload
  /**
   * The row's place in its source's event log (publication order, set by the relay when it
   * first publishes the row); stable across republishing. Subscribers resume from it.
   */
  readonly logPosition?: number
}

/**
 * The event types of a service's event map (`OrdersEvents` in subgraphs/orders/events.ts: type
 * name → payload type).
 */
export type EventTypeOf<Events> = keyof Events & string

/**
 * The envelope of an event of `Events` whose type is one of `Type`, as a union discriminated by
 * `type`: `switch (event.type)` narrows `payload` to that type's payload, with no cast.
 */
export type EventOf<Events, Type extends EventTypeOf<Events> = EventTypeOf<Events>> = { [T in Type]: EventEnvelope<Events[T], T> }[Type]

/** `commerce.<source>.<aggregateType>.<type>`: consumers filter by domain or by type. */
export function subjectOf(event: Pick<EventEnvelope, 'source' | 'aggregateType' | 'type'>): string {
  return `commerce.${event.source}.${event.aggregateType}.${event.type}`
}

/** NATS-style subject match: `*` one token, `>` the rest. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.')
  const s = subject.split('.')
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false
  }
  return p.length === s.length
}

export function isEventEnvelope(value: unknown): value is EventEnvelope {
  const v = value as Partial<EventEnvelope> | null
  return (
    typeof v === 'object' && v !== null && typeof v.id === 'string' && typeof v.type === 'string' && typeof v.source === 'string' &&
    typeof v.aggregateType === 'string' && typeof v.aggregateId === 'string' && typeof v.sequence === 'number' && typeof v.occurredAt === 'string'
  )
}

/** An envelope typed by its publisher's map, once its subject says which event it is. */
export const eventOf = <Events, Type extends EventTypeOf<Events>>(event: EventEnvelope): EventOf<Events, Type> => event as EventOf<Events, Type>
