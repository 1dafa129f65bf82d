import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { Bus } from './bus.ts'
import type { Database } from './db.ts'
import type { EventEnvelope } from './events.ts'
import type { SubgraphName } from './config.ts'
import { outboxChannel } from './outbox.ts'

export interface RelayOptions {
  readonly db: Database
  readonly bus: Bus
  readonly schema: SubgraphName
  readonly logger: FastifyBaseLogger
  /** Safety net when a NOTIFY is missed (reconnect): look at the outbox at least this often. */
  readonly pollMs?: number
  readonly batchSize?: number
  readonly leaseSeconds?: number
}

export interface Relay {
  /** Resolves when every row that was unpublished when called has been published. */
  flush(): Promise<void>
  stop(): Promise<void>
}

interface OutboxRow {
  position: string
  id: string
  type: string
  source: SubgraphName
  aggregate_type: string
  aggregate_id: string
  sequence: string
  occurred_at: Date
  trace_context: Record<string, string>
  payload: unknown
}

/**
 * Publishes a schema's outbox to the bus in position order, which is commit order per aggregate
 * (the aggregate's sequence row lock orders its writers). Rows are marked published only after
 * the bus has them; a crash in between republishes them, and consumers dedupe. Replicas contend
 * for a lease so one relay per schema publishes at a time, keeping per-aggregate order.
 * No transaction is held while publishing (PGlite has a single connection).
 */
export function startRelay(options: RelayOptions): Relay {
  const { db, bus, schema, logger } = options
  const pollMs = options.pollMs ?? 1000
  const batchSize = options.batchSize ?? 100
  const leaseSeconds = options.leaseSeconds ?? 15
  const holder = `${process.pid}-${randomUUID()}`
  let stopped = false
  let wake: (() => void) | null = null
  // set by NOTIFY (and flush) so a notification that lands while a batch runs is not slept through
  let dirty = false
  let waiters: (() => void)[] = []
  let failures = 0

  const acquireLease = async () => {
    const { rowCount } = await db.query(
      `insert into ${schema}.outbox_relay_lease (holder, expires_at) values ($1, now() + make_interval(secs => $2))
       on conflict (singleton) do update set holder = excluded.holder, expires_at = excluded.expires_at
       where ${schema}.outbox_relay_lease.holder = excluded.holder or ${schema}.outbox_relay_lease.expires_at < now()
       returning holder`,
      [holder, leaseSeconds],
    )
    return rowCount > 0
  }

  const publishBatch = async (): Promise<number> => {
    const { rows } = await db.query<OutboxRow>(
      `select position, id, type, source, aggregate_type, aggregate_id, sequence, occurred_at, trace_context, payload
       from ${schema}.outbox where published_at is null order by position limit $1`,
      [batchSize],
    )
    for (const row of rows) {
      if (stopped) break
      await bus.publish(toEnvelope(row), { dedupeId: `${schema}:${row.position}` })
      await db.query(`update ${schema}.outbox set published_at = now() where position = $1`, [row.position])
    }
    return rows.length
  }

  const loop = async () => {
    while (!stopped) {
      dirty = false
      let published = 0
      try {
        if (await acquireLease()) published = await publishBatch()
        failures = 0
      } catch (error) {
        failures++
        if (!stopped) logger.warn({ err: error, schema, failures }, 'outbox relay failed; retrying')
      }
      if (published === batchSize && failures === 0) continue
      if (published === 0 && failures === 0) {
        for (const resolve of waiters.splice(0)) resolve()
      }
      if (dirty && failures === 0) continue
      const delay = failures > 0 ? Math.min(pollMs, 50 * 2 ** Math.min(failures, 5)) : pollMs
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay)
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      wake = null
    }
    for (const resolve of waiters.splice(0)) resolve()
  }

  let unlisten: (() => Promise<void>) | null = null
  const listening = db
    .listen(outboxChannel(schema), () => {
      dirty = true
      wake?.()
    })
    .then((stop) => {
      unlisten = stop
    })
    .catch((error: unknown) => logger.warn({ err: error, schema }, 'outbox relay cannot LISTEN; polling only'))
  const running = listening.then(loop)

  return {
    flush: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve)
        wake?.()
      }),
    async stop() {
      stopped = true
      wake?.()
      await running
      await (unlisten as (() => Promise<void>) | null)?.()
      // give the lease up so a replica takes over at once
      await db.query(`delete from ${schema}.outbox_relay_lease where holder = $1`, [holder]).catch(() => {})
      waiters = []
    },
  }
}

function toEnvelope(row: OutboxRow): EventEnvelope {
  return {
    id: row.id,
    type: row.type,
    source: row.source,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    sequence: Number(row.sequence),
    occurredAt: new Date(row.occurred_at).toISOString(),
    traceContext: row.trace_context,
    payload: row.payload,
  }
}
