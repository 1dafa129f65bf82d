import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager, type JsMsg, type StreamConfig } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyBaseLogger } from 'fastify'
import type { Bus, ConsumerHandle, ConsumerSpec, TailSpec } from './bus.ts'
import { SUBGRAPH_NAMES } from './subgraphRegistry.ts'
import { isEventEnvelope, subjectOf, type EventEnvelope } from './events.ts'

export interface NatsBusOptions {
  readonly servers: string
  readonly logger: FastifyBaseLogger
  /** Subject and stream prefix; tests use their own so that runs never share state. */
  readonly namespace?: string
  /** How long streams keep events (default 7 days). */
  readonly maxAgeMs?: number
}

const nanos = (ms: number) => ms * 1_000_000
/** Unacked deliveries per consumer: the parallelism across aggregates. */
const MAX_IN_FLIGHT = 64
/**
 * How long the server waits for an ack before it delivers a message again, to this or another
 * replica: the time a consumer that died with messages in hand holds them up. Every message
 * pulled and not yet settled (in the handler, queued behind its aggregate, waiting to retry) is
 * marked in progress every third of it, so a live consumer keeps them however long they take.
 */
const ACK_WAIT_MS = 10_000

/**
 * Hands one message to the consumer until it acks: a nak waits its delay here (telling the server
 * the message is still being worked on) and delivers again, so the aggregate's later events wait.
 * `attempt` continues from the server's delivery count, which survives a crash.
 *
 * Once the consumer stops (`stopping` aborted) a message not yet handed over, or waiting for a
 * retry, goes back to the server (a nak, with what is left of the delay) for another replica or
 * the next start; one in the handler's hands is finished and acked first.
 */
async function deliverUntilSettled(spec: ConsumerSpec, event: EventEnvelope, message: JsMsg, stopping: AbortSignal): Promise<void> {
  for (let attempt = message.info.deliveryCount; ; attempt++) {
    if (stopping.aborted) {
      message.nak()
      return
    }
    let outcome: { acked: true } | { acked: false; delayMs: number } | null = null
    await spec.onDelivery({
      event,
      attempt,
      ack: async () => {
        outcome = { acked: true }
        await message.ackAck()
      },
      nak: async (delayMs) => {
        outcome = { acked: false, delayMs }
      },
    })
    const settled = outcome as { acked: true } | { acked: false; delayMs: number } | null
    if (settled?.acked) return
    const delay = settled ? settled.delayMs : 1000
    for (let waited = 0; waited < delay; waited += 5000) {
      if (stopping.aborted) {
        message.nak(delay - waited)
        return
      }
      message.working()
      await sleep(Math.min(5000, delay - waited), undefined, { signal: stopping }).catch(() => {})
    }
  }
}
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * NATS JetStream: one stream per domain (`COMMERCE_ORDERS` on `commerce.orders.>`), durable
 * pull consumers with explicit acks sent after the consumer's transaction commits, redelivery
 * on nak or ack timeout, and publish dedupe by outbox row (`Nats-Msg-Id`) so a relay that
 * republishes after a crash does not duplicate. A consumer handles different aggregates
 * concurrently and each aggregate's events in stream order. Dead letters go to `commerce.dlq.<consumer>` (stream `COMMERCE_DLQ`).
 */
export async function createNatsBus(options: NatsBusOptions): Promise<Bus> {
  const namespace = options.namespace ?? 'commerce'
  const streamPrefix = namespace.toUpperCase().replace(/[^A-Z0-9]/g, '_')
  const nc = await connect({ servers: options.servers, name: `commerce-${process.pid}`, maxReconnectAttempts: -1 })
  const jsm = await jetstreamManager(nc)
  const js = jetstream(nc)
  const maxAge = nanos(options.maxAgeMs ?? 7 * 24 * 3600_000)

  const streams = [
    ...SUBGRAPH_NAMES.map((domain) => ({ name: `${streamPrefix}_${domain.toUpperCase()}`, subjects: [`${namespace}.${domain}.>`] })),
    { name: `${streamPrefix}_DLQ`, subjects: [`${namespace}.dlq.>`] },
  ]
  for (const stream of streams) await ensureStream(jsm, { ...stream, max_age: maxAge, duplicate_window: nanos(120_000) })

  const toNats = (subject: string) => `${namespace}${subject.slice('commerce'.length)}`
  const streamFor = (pattern: string) => {
    const domain = pattern.split('.')[1]
    const stream = streams.find((s) => s.name === `${streamPrefix}_${(domain ?? '').toUpperCase()}`)
    if (!stream) throw new Error(`no stream holds subjects '${pattern}' (patterns must name a domain: commerce.<domain>.…)`)
    return stream.name
  }
  const running = new Set<{ close(): Promise<void | Error> }>()
  // one per consume(): closing the bus stops every consumer as its own stop() would
  const consumersStopping = new Set<AbortController>()
  const durables: { stream: string; durable: string }[] = []

  return {
    kind: 'nats',
    async publish(event, publishOptions) {
      await js.publish(toNats(subjectOf(event)), encoder.encode(JSON.stringify(event)), { msgID: publishOptions?.dedupeId ?? event.id })
    },
    async consume(spec: ConsumerSpec): Promise<ConsumerHandle> {
      // a consumer reads one stream; patterns spanning domains get one durable per stream
      const byStream = new Map<string, string[]>()
      for (const pattern of spec.subjects) byStream.set(streamFor(pattern), [...(byStream.get(streamFor(pattern)) ?? []), toNats(pattern)])
      const loops: Promise<void>[] = []
      const handles: { close(): Promise<void | Error> }[] = []
      const stopping = new AbortController()
      consumersStopping.add(stopping)
      for (const [stream, subjects] of byStream) {
        const durable = `${spec.name}-${stream}`.replace(/[^A-Za-z0-9_-]/g, '_')
        const config = {
          durable_name: durable,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ...(subjects.length === 1 ? { filter_subject: subjects[0] as string } : { filter_subjects: subjects }),
          max_ack_pending: MAX_IN_FLIGHT,
          ack_wait: nanos(ACK_WAIT_MS),
        }
        await jsm.consumers.add(stream, config).catch(() => jsm.consumers.update(stream, durable, config))
        durables.push({ stream, durable })
        const consumer = await js.consumers.get(stream, durable)
        const messages = await consumer.consume({ max_messages: MAX_IN_FLIGHT })
        handles.push(messages)
        running.add(messages)
        loops.push(
          (async () => {
            // Events of one aggregate are handled one after another, in stream order, retries
            // included (a failing event holds its aggregate back, never lets a later one pass);
            // events of different aggregates are handled concurrently.
            const chains = new Map<string, Promise<void>>()
            const inFlight = new Set<Promise<void>>()
            const inHand = new Set<JsMsg>()
            const heartbeat = setInterval(() => {
              for (const message of inHand) message.working()
            }, ACK_WAIT_MS / 3)
            heartbeat.unref()
            for await (const message of messages) {
              // pulled before the stop, handed over after it: back to the server at once
              if (stopping.signal.aborted) {
                message.nak()
                continue
              }
              let event: EventEnvelope
              try {
                const parsed: unknown = JSON.parse(decoder.decode(message.data))
                if (!isEventEnvelope(parsed)) throw new Error('not an event envelope')
                event = parsed
              } catch (error) {
                options.logger.error({ err: error, subject: message.subject }, 'dropping a message that is not an event')
                message.term()
                continue
              }
              const key = `${event.aggregateType}\u0000${event.aggregateId}`
              inHand.add(message)
              const handled: Promise<void> = (chains.get(key) ?? Promise.resolve())
                .then(() => deliverUntilSettled(spec, event, message, stopping.signal))
                .catch((error: unknown) => options.logger.error({ err: error, consumer: spec.name, eventId: event.id }, 'delivery failed'))
                .finally(() => {
                  inHand.delete(message)
                  if (chains.get(key) === handled) chains.delete(key)
                  inFlight.delete(handled)
                })
              chains.set(key, handled)
              inFlight.add(handled)
              if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight)
            }
            await Promise.all(inFlight)
            clearInterval(heartbeat)
          })().catch((error: unknown) => options.logger.error({ err: error, consumer: spec.name }, 'consumer loop ended')),
        )
      }
      return {
        // no message is taken after this; those in the handler's hands are finished and acked
        async stop() {
          stopping.abort()
          for (const handle of handles) {
            await handle.close()
            running.delete(handle)
          }
          await Promise.all(loops)
        },
      }
    },
    async tail(spec: TailSpec): Promise<ConsumerHandle> {
      // an ordered consumer per stream: ephemeral, flow-controlled, recreated by the client after
      // a reconnect from the last stream sequence it saw, so the tail neither skips nor repeats
      const byStream = new Map<string, string[]>()
      for (const pattern of spec.subjects) byStream.set(streamFor(pattern), [...(byStream.get(streamFor(pattern)) ?? []), toNats(pattern)])
      const handles: { close(): Promise<void | Error> }[] = []
      let stopped = false
      for (const [stream, subjects] of byStream) {
        // start right after the stream's last message now: whatever is published from here on is
        // delivered even if the consumer is created on the server a moment later
        const { state } = await jsm.streams.info(stream)
        // one subject goes as `filter_subject` (servers before 2.10 know no `filter_subjects`)
        const filter = subjects.length === 1 ? (subjects[0] as string) : subjects
        const consumer = await js.consumers.get(stream, { filter_subjects: filter, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: state.last_seq + 1 })
        // pulls of 5 s (heartbeats every 2.5 s) rather than 30: after a NATS restart the client
        // notices the lost consumer and re-creates it within seconds, not half a minute (a tail
        // feeds partners' live stock streams and the caches' invalidations)
        const messages = await consumer.consume({ expires: 5000 })
        handles.push(messages)
        running.add(messages)
        void (async () => {
          for await (const message of messages) {
            try {
              const parsed: unknown = JSON.parse(decoder.decode(message.data))
              if (isEventEnvelope(parsed)) spec.onEvent(parsed)
            } catch (error) {
              options.logger.error({ err: error, subject: message.subject }, 'tail listener failed')
            }
          }
          // the iteration ends by itself only when the consumer is gone for good
          if (!stopped) throw new Error(`the tail of ${stream} ended`)
        })().catch((error: unknown) => spec.onError?.(error))
      }
      return {
        async stop() {
          stopped = true
          for (const handle of handles) {
            await handle.close()
            running.delete(handle)
          }
        },
      }
    },
    async pending() {
      let count = 0
      for (const { stream, durable } of durables) {
        const info = await jsm.consumers.info(stream, durable).catch(() => null)
        if (info) count += info.num_pending + info.num_ack_pending
      }
      return count
    },
    async deadLetter(consumer, event, error) {
      const subject = `${namespace}.dlq.${consumer.replace(/[^A-Za-z0-9_-]/g, '_')}`
      await js.publish(subject, encoder.encode(JSON.stringify({ consumer, error, event })), { msgID: `${consumer}:${event.id}` })
    },
    async close() {
      for (const stopping of consumersStopping) stopping.abort()
      for (const handle of running) await handle.close()
      running.clear()
      await nc.drain()
    },
  }
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string; subjects: string[] }): Promise<void> {
  try {
    await jsm.streams.info(config.name)
    await jsm.streams.update(config.name, config)
  } catch {
    await jsm.streams.add(config)
  }
}

/** Deletes a namespace's streams (tests). */
export async function deleteNatsNamespace(servers: string, namespace: string): Promise<void> {
  const nc = await connect({ servers })
  const jsm = await jetstreamManager(nc)
  const prefix = namespace.toUpperCase().replace(/[^A-Z0-9]/g, '_')
  for (const name of [...SUBGRAPH_NAMES.map((d) => d.toUpperCase()), 'DLQ']) await jsm.streams.delete(`${prefix}_${name}`).catch(() => false)
  await nc.close()
}
