import type { EventEnvelope } from './events.ts'

/** One delivery of an event to one consumer. Redelivered until acked. */
export interface Delivery {
  readonly event: EventEnvelope
  /** 1 on the first delivery, counting redeliveries. */
  readonly attempt: number
  ack(): Promise<void>
  /** Asks for redelivery after `delayMs`. */
  nak(delayMs: number): Promise<void>
}

export interface ConsumerSpec {
  /** Durable name: the bus remembers how far this consumer got. Unique per consuming service. */
  readonly name: string
  /** Subject patterns (`commerce.orders.>`); see events.ts subjectOf. */
  readonly subjects: readonly string[]
  /** Called for one delivery at a time, in publish order; must ack or nak it. */
  readonly onDelivery: (delivery: Delivery) => Promise<void>
}

export interface ConsumerHandle {
  stop(): Promise<void>
}

/**
 * A live, non-durable view of the events published from now on: every process that tails gets
 * every matching event, in publish order, possibly twice (a relay that republished). Nothing is
 * acked or remembered; a tail that needs what it missed reads its source's event log.
 */
export interface TailSpec {
  readonly subjects: readonly string[]
  readonly onEvent: (event: EventEnvelope) => void
  /** The tail broke (connection lost for good); events may have been missed since. */
  readonly onError?: (error: unknown) => void
}

/**
 * At-least-once delivery of events between services. Two drivers: in-process (embedded mode)
 * and NATS JetStream (`NATS_URL`). Consumers dedupe by event id, so redelivery is harmless.
 */
export interface Bus {
  readonly kind: 'in-process' | 'nats'
  /**
   * Resolves once the bus has the event durably (JetStream ack; in-process: every consumer acked).
   * `dedupeId` names the outbox row: publishing the same row twice (a relay that crashed before
   * marking it) is stored once, while a replay (a new row for the same event) goes through.
   */
  publish(event: EventEnvelope, options?: { readonly dedupeId?: string }): Promise<void>
  consume(spec: ConsumerSpec): Promise<ConsumerHandle>
  /** Resolves once the tail is attached: every event published after that reaches it. */
  tail(spec: TailSpec): Promise<ConsumerHandle>
  /** Deliveries not yet acked by this process's consumers (tests wait for 0 to see effects). */
  pending(): Promise<number>
  /** Records an event a consumer gave up on where operators look for it (a dead-letter subject). */
  deadLetter(consumer: string, event: EventEnvelope, error: string): Promise<void>
  close(): Promise<void>
}
