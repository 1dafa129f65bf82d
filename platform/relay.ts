import { randomUUID } from 'node:crypto'
import { contextFrom, inService, SpanKind, traced } from './tracing.ts'
import type { FastifyBaseLogger } from 'fastify'
import type { Bus } from './bus.ts'
import type { Database } from './db.ts'
import type { EventEnvelope } from './events.ts'
import type { SubgraphName } from './subgraphRegistry.ts'
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
  /** Published rows older than this are deleted (the event log's retention); 0 keeps them all. */
  readonly retentionMs?: number
  /** How often the lease holder prunes. */
  readonly pruneEveryMs?: number
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
  log_position: string | null
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
  // flush() resolves after a pass that began after it was called finds nothing left: a pass
  // already under way may have read the outbox before the caller's rows committed
  let asked: (() => void)[] = []
  let waiters: (() => void)[] = []
  let failures = 0
  const retentionMs = options.retentionMs ?? 0
  const pruneEveryMs = options.pruneEveryMs ?? 10 * 60_000
  let lastPrune = 0

  const prune = async () => {
    if (retentionMs <= 0 || Date.now() - lastPrune < pruneEveryMs) return
    lastPrune = Date.now()
    const { rowCount } = await db.query(
      `delete from ${schema}.outbox where published_at is not null and published_at < now() - make_interval(secs => $1)`,
      [retentionMs / 1000],
    )
    if (rowCount > 0) logger.info({ schema, pruned: rowCount }, 'pruned the event log past its retention')
  }

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

  // the lease is renewed at half its term, not on every batch: one write fewer per batch under load
  let leaseRenewAt = 0
  const holdLease = async () => {
    if (Date.now() < leaseRenewAt) return true
    const held = await acquireLease()
    leaseRenewAt = held ? Date.now() + (leaseSeconds * 1000) / 2 : 0
    return held
  }

  /**
   * Numbers the batch's new rows after every row numbered before, in position order. A row
   * numbered by a run that crashed before publishing keeps its number (and goes first).
   */
  const numberRows = async (rows: OutboxRow[]) => {
    const fresh = rows.filter((row) => row.log_position === null)
    if (fresh.length === 0) return
    // one statement: as many numbers as fresh rows, handed out in ascending order to the rows
    // in position order (nextval gives no order within a statement; the ranks do)
    const { rows: numbered } = await db.query<{ position: string; log_position: string }>(
      `with numbers as (
         select n, row_number() over (order by n) as rank
         from (select nextval('${schema}.outbox_log_seq') as n from generate_series(1, cardinality($1::bigint[]))) s
       ), fresh as (
         select position, row_number() over (order by position) as rank from unnest($1::bigint[]) as p(position)
       )
       update ${schema}.outbox o set log_position = numbers.n
       from fresh join numbers using (rank)
       where o.position = fresh.position and o.log_position is null
       returning o.position::text as position, o.log_position::text as log_position`,
      [fresh.map((row) => row.position)],
    )
    const numberOf = new Map(numbered.map((row) => [row.position, row.log_position]))
    for (const row of fresh) row.log_position = numberOf.get(String(row.position)) ?? null
    const rowCount = numbered.length
    // another relay (a lease that expired under us) numbered them first: start over
    if (rowCount !== fresh.length) throw new Error(`outbox rows of ${schema} were numbered concurrently`)
  }

  const publishBatch = async (): Promise<number> => {
    const { rows } = await db.query<OutboxRow>(
      `select position, id, type, source, aggregate_type, aggregate_id, sequence, occurred_at, trace_context, payload, log_position
       from ${schema}.outbox where published_at is null order by log_position nulls last, position limit $1`,
      [batchSize],
    )
    await numberRows(rows)
    // one statement marks what was published (a failure part way marks the part that made it);
    // a crash before it republishes those rows, which consumers and the stock feed drop as seen
    const published: string[] = []
    try {
      for (const row of rows) {
        if (stopped) break
        const envelope = toEnvelope(row)
        // a PRODUCER span in the event's own trace (the request or consumer that appended it)
        await traced(`publish ${envelope.type}`, {
          kind: SpanKind.PRODUCER,
          parent: inService(schema, contextFrom(envelope.traceContext)),
          onlyInTrace: true,
          attributes: { 'messaging.system': 'nats', 'messaging.operation.type': 'send', 'messaging.message.id': envelope.id, 'commerce.event.type': envelope.type },
        }, () => bus.publish(envelope, { dedupeId: `${schema}:${row.position}` }))
        published.push(row.position)
      }
    } finally {
      if (published.length > 0) {
        await db.query(`update ${schema}.outbox set published_at = now() where position = any($1::bigint[])`, [published])
      }
    }
    return rows.length
  }

  const loop = async () => {
    while (!stopped) {
      dirty = false
      waiters.push(...asked.splice(0))
      let published = 0
      try {
        if (await holdLease()) {
          published = await publishBatch()
          await prune()
        }
        failures = 0
      } catch (error) {
        leaseRenewAt = 0
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
    for (const resolve of [...waiters.splice(0), ...asked.splice(0)]) resolve()
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
        if (stopped) return resolve()
        asked.push(resolve)
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
      asked = []
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
    ...(row.log_position === null ? {} : { logPosition: Number(row.log_position) }),
  }
}
