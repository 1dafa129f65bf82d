/**
 * Incidents: an external integration a service depends on (finance's payment provider,
 * inventory's supplier; later a partner's feed) stopped answering, as its circuit breaker judged.
 * One incident per episode: it opens when the breaker opens, stays the same while the breaker goes
 * half-open and open again, and is resolved when the breaker closes. It is recorded in the
 * service's own schema and, when INCIDENT_WEBHOOK_URL is set, POSTed there (`incident.opened`,
 * `incident.resolved`).
 *
 * A service that records incidents creates `<schema>.incidents` in one of its own migrations
 * (finance: `0003_incidents.sql`, inventory: `0007_incidents.sql`), with these columns: `id` text
 * (inc_…), `integration` text, `status` OPEN or RESOLVED, `summary` text, `last_error` text,
 * `opened_at`, `resolved_at`, `notified_at` and `resolution_notified_at` (when the webhook accepted
 * each post), `notify_error` (its last failure), and a unique index on `integration` where
 * `status = 'OPEN'`. That index is what lets several replicas share one incident: each inserts
 * only if none is open.
 *
 * Nothing here runs in the caller's path: the breaker's hook only queues the work, which runs in
 * order (so an episode's `incident.opened` is posted before its `incident.resolved`) and never
 * throws: a failure is logged.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { BreakerState } from './circuitBreaker.ts'
import type { Database, Queryable } from './db.ts'
import type { IncidentEventName, IncidentNotice, IncidentWebhook } from './incidentWebhook.ts'
import type { SubgraphName } from './subgraphRegistry.ts'

export const INCIDENT_STATUSES = ['OPEN', 'RESOLVED'] as const
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number]

export interface IncidentRow {
  readonly id: string
  readonly integration: string
  readonly status: IncidentStatus
  readonly summary: string
  readonly lastError: string | null
  readonly openedAt: Date
  readonly resolvedAt: Date | null
  /** When the webhook accepted `incident.opened`; null without a webhook, or while it has not. */
  readonly notifiedAt: Date | null
  readonly resolutionNotifiedAt: Date | null
}

const COLUMNS = `id, integration, status, summary, last_error as "lastError", opened_at as "openedAt", resolved_at as "resolvedAt",
  notified_at as "notifiedAt", resolution_notified_at as "resolutionNotifiedAt"`

export interface IncidentRecorderOptions {
  readonly db: Database
  /** The service's schema, which holds its `incidents` table. */
  readonly schema: SubgraphName
  /** What failed, as incidents name it (`payment-provider`). */
  readonly integration: string
  readonly logger: FastifyBaseLogger
  /** Where incidents are posted (incidentWebhook.ts); null: recorded only. */
  readonly webhook: IncidentWebhook | null
}

export interface IncidentRecorder {
  /** The integration is down: opens its incident, or, when one is open already, notes `lastError` on it. Queued. */
  opened(summary: string, lastError: string | null): void
  /** The integration works again: resolves its open incident, if any. Queued. */
  resolved(): void
  /** A breaker's state-change hook (circuitBreaker.ts onStateChange, with the failure that led to it) driving this recorder. */
  onBreakerChange(summary: string): (state: BreakerState, previous: BreakerState, lastError: string | null) => void
  /** Resolves once everything queued so far is done. */
  settled(): Promise<void>
  /** Stops: webhook posts in flight are given up, later calls ignored. */
  close(): Promise<void>
}

export function createIncidentRecorder(options: IncidentRecorderOptions): IncidentRecorder {
  const { db, schema, integration, logger, webhook } = options
  const stopping = new AbortController()
  let queue: Promise<void> = Promise.resolve()

  const enqueue = (what: string, work: () => Promise<void>) => {
    if (stopping.signal.aborted) return
    queue = queue.then(work).catch((error: unknown) => logger.error({ err: error, integration }, `could not record the incident (${what})`))
  }

  const notify = async (event: IncidentEventName, incident: IncidentRow) => {
    if (!webhook) return
    const delivered = await webhook.send({ event, service: schema, incident: noticeOf(incident) }, stopping.signal)
    const column = event === 'incident.opened' ? 'notified_at' : 'resolution_notified_at'
    if (delivered.ok) {
      await db.query(`update ${schema}.incidents set ${column} = now(), notify_error = null where id = $1`, [incident.id])
      return
    }
    logger.error({ incidentId: incident.id, integration, event, attempts: delivered.attempts, error: delivered.error }, 'could not post the incident to INCIDENT_WEBHOOK_URL')
    await db.query(`update ${schema}.incidents set notify_error = $2 where id = $1`, [incident.id, delivered.error])
  }

  const recorder: IncidentRecorder = {
    opened(summary, lastError) {
      enqueue('opened', async () => {
        const opened = await openIncident(db, schema, { integration, summary, lastError })
        if (!opened) return // open already: this replica's breaker, or another's, opened it
        logger.error({ incidentId: opened.id, integration, lastError }, 'incident opened')
        await notify('incident.opened', opened)
      })
    },
    resolved() {
      enqueue('resolved', async () => {
        const resolved = await resolveIncident(db, schema, integration)
        if (!resolved) return // none open: resolved by another replica, or never opened
        logger.info({ incidentId: resolved.id, integration }, 'incident resolved')
        await notify('incident.resolved', resolved)
      })
    },
    onBreakerChange: (summary) => (state, previous, lastError) => {
      // open again after a failed probe (previous half_open) is the same episode: only its last error changes
      if (state === 'open') recorder.opened(summary, lastError)
      else if (state === 'closed' && previous !== 'closed') recorder.resolved()
    },
    settled: async () => {
      // work queued while waiting joins the queue: wait until it stops growing
      for (let current = queue; ; current = queue) {
        await current
        if (current === queue) return
      }
    },
    async close() {
      stopping.abort()
      await recorder.settled()
    },
  }
  return recorder
}

/** Opens the integration's incident unless one is open; then notes the error on that one and returns null. */
async function openIncident(db: Queryable, schema: string, incident: { integration: string; summary: string; lastError: string | null }): Promise<IncidentRow | null> {
  const { rows } = await db.query<IncidentRow>(
    `insert into ${schema}.incidents (integration, status, summary, last_error) values ($1, 'OPEN', $2, $3)
     on conflict (integration) where status = 'OPEN' do nothing
     returning ${COLUMNS}`,
    [incident.integration, incident.summary, incident.lastError],
  )
  if (rows[0]) return rows[0]
  await db.query(`update ${schema}.incidents set last_error = coalesce($2, last_error) where integration = $1 and status = 'OPEN'`, [
    incident.integration, incident.lastError,
  ])
  return null
}

async function resolveIncident(db: Queryable, schema: string, integration: string): Promise<IncidentRow | null> {
  const { rows } = await db.query<IncidentRow>(
    `update ${schema}.incidents set status = 'RESOLVED', resolved_at = now() where integration = $1 and status = 'OPEN' returning ${COLUMNS}`,
    [integration],
  )
  return rows[0] ?? null
}

/** One page of a service's incidents, newest first, keyset-paginated on (opened_at, id) descending. */
export async function incidentsPage(
  db: Queryable,
  schema: SubgraphName,
  status: IncidentStatus | null,
  after: readonly [string, string] | null,
  limit: number,
): Promise<IncidentRow[]> {
  const { rows } = await db.query<IncidentRow>(
    `select ${COLUMNS} from ${schema}.incidents
     where ($1::text is null or status = $1)
       and ($2::timestamptz is null or (opened_at, id) < ($2::timestamptz, $3::text))
     order by opened_at desc, id desc
     limit $4`,
    [status, after?.[0] ?? null, after?.[1] ?? null, limit],
  )
  return rows
}

function noticeOf(incident: IncidentRow): IncidentNotice['incident'] {
  return {
    id: incident.id, integration: incident.integration, status: incident.status, summary: incident.summary, lastError: incident.lastError,
    openedAt: new Date(incident.openedAt).toISOString(), resolvedAt: incident.resolvedAt === null ? null : new Date(incident.resolvedAt).toISOString(),
  }
}
