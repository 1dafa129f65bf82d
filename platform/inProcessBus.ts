import { setTimeout as sleep } from 'node:timers/promises'
import type { Bus, ConsumerHandle, ConsumerSpec, TailSpec } from './bus.ts'
import { subjectMatches, subjectOf, type EventEnvelope } from './events.ts'

interface Pending {
  readonly event: EventEnvelope
  /** true: acked or dead-lettered; false: the consumer stopped first (publish fails, the row stays unpublished) */
  readonly settled: (delivered: boolean) => void
}

interface Consumer {
  readonly spec: ConsumerSpec
  /** Events not yet acked; while `draining`, the first is the one in the handler's hands. */
  readonly queue: Pending[]
  draining: boolean
  stopped: boolean
  /** Cuts a retry's wait short when the consumer stops. */
  readonly stopping: AbortController
  /** Told when the drain loop ends (a stop waits for the event in hand). */
  readonly whenIdle: (() => void)[]
}

/**
 * The embedded bus. It keeps nothing itself: `publish` resolves only when every consumer
 * registered for the subject has acked (or dead-lettered) the event, and only then does the
 * outbox relay mark the row published. A crash anywhere before that leaves the row unpublished,
 * so it is delivered again after restart; consumers dedupe by id. Consumers must therefore be
 * registered before relays start (hosts build every app, then start them).
 * Each consumer sees events one at a time in publish order; a nak delays that consumer only.
 */
export function createInProcessBus(): Bus {
  const consumers = new Set<Consumer>()
  const tails = new Set<TailSpec>()
  let closed = false

  const drain = async (consumer: Consumer) => {
    if (consumer.draining) return
    consumer.draining = true
    try {
      while (!consumer.stopped && consumer.queue.length > 0) {
        const head = consumer.queue[0] as Pending
        let acked = false
        for (let attempt = 1; ; attempt++) {
          const outcome = await deliver(consumer, head.event, attempt)
          acked = outcome.acked
          if (acked || consumer.stopped) break
          await sleep(outcome.delayMs, undefined, { signal: consumer.stopping.signal }).catch(() => {})
          if (consumer.stopped) break
        }
        // an event handled to the end before a stop counts as delivered: its effect committed
        consumer.queue.shift()
        head.settled(acked)
      }
    } finally {
      consumer.draining = false
      for (const resolve of consumer.whenIdle.splice(0)) resolve()
    }
  }

  /**
   * Takes no other event: those waiting fail their publishers (their outbox rows stay
   * unpublished, delivered again after a restart), and the one in hand, if any, is handled to
   * the end, its ack settling its publisher as usual. A retry's wait is cut short.
   */
  const stop = async (consumer: Consumer) => {
    consumer.stopped = true
    consumer.stopping.abort()
    for (const pending of consumer.queue.splice(consumer.draining ? 1 : 0)) pending.settled(false)
    if (consumer.draining) await new Promise<void>((resolve) => consumer.whenIdle.push(resolve))
  }

  const deliver = (consumer: Consumer, event: EventEnvelope, attempt: number) =>
    new Promise<{ acked: boolean; delayMs: number }>((resolve) => {
      let done = false
      const settle = (acked: boolean, delayMs: number) => {
        if (done) return
        done = true
        resolve({ acked, delayMs })
      }
      consumer.spec
        .onDelivery({
          event,
          attempt,
          ack: async () => settle(true, 0),
          nak: async (delayMs) => settle(false, delayMs),
        })
        // a handler that neither acked nor naked is a bug; retry it rather than stall
        .then(() => settle(false, 1000), () => settle(false, 1000))
    })

  return {
    kind: 'in-process',
    async publish(event) {
      if (closed) throw new Error('bus is closed')
      const subject = subjectOf(event)
      for (const tail of tails) {
        if (!tail.subjects.some((pattern) => subjectMatches(pattern, subject))) continue
        try {
          tail.onEvent(event)
        } catch (error) {
          tail.onError?.(error)
        }
      }
      const targets = [...consumers].filter((c) => !c.stopped && c.spec.subjects.some((pattern) => subjectMatches(pattern, subject)))
      const delivered = await Promise.all(
        targets.map(
          (consumer) =>
            new Promise<boolean>((settled) => {
              consumer.queue.push({ event, settled })
              void drain(consumer)
            }),
        ),
      )
      if (delivered.includes(false)) throw new Error(`a consumer stopped before it acked event ${event.id}`)
    },
    async consume(spec): Promise<ConsumerHandle> {
      const consumer: Consumer = { spec, queue: [], draining: false, stopped: false, stopping: new AbortController(), whenIdle: [] }
      consumers.add(consumer)
      return {
        async stop() {
          consumers.delete(consumer)
          await stop(consumer)
        },
      }
    },
    async tail(spec) {
      tails.add(spec)
      return {
        async stop() {
          tails.delete(spec)
        },
      }
    },
    async pending() {
      let count = 0
      for (const consumer of consumers) count += consumer.queue.length
      return count
    },
    async deadLetter() {
      // the consumer's dead_letters table is the record in embedded mode
    },
    async close() {
      closed = true
      const stopping = [...consumers].map(stop)
      consumers.clear()
      tails.clear()
      await Promise.all(stopping)
    },
  }
}
