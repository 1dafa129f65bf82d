import type { Queryable } from '../../../platform/db.ts'
import type { StockLevelChanged } from '../events.ts'
import type { StockEventModel } from '../models.ts'

interface StockEventRow {
  id: string
  log_position: string
  occurred_at: Date
  payload: StockLevelChanged
}

/**
 * `StockLevelChanged` events of the event log (the outbox, numbered by the relay in publication
 * order) after `afterPosition`, in that order, narrowed by sku and location in SQL.
 */
export async function stockEventsAfter(
  db: Queryable,
  filter: { skus: readonly string[] | null; locationIds: readonly string[] | null },
  page: { afterPosition: number; limit: number },
): Promise<StockEventModel[]> {
  const { rows } = await db.query<StockEventRow>(
    `select id, log_position, occurred_at, payload from inventory.outbox
     where log_position > $1::bigint and type = 'StockLevelChanged' and aggregate_type = 'InventoryLevel'
       and ($2::text[] is null or payload->>'sku' = any($2::text[]))
       and ($3::text[] is null or payload->>'locationId' = any($3::text[]))
     order by log_position
     limit $4`,
    [page.afterPosition, filter.skus, filter.locationIds, page.limit],
  )
  return rows.map((row) => ({
    eventId: row.id,
    logPosition: Number(row.log_position),
    occurredAt: new Date(row.occurred_at).toISOString(),
    payload: row.payload,
  }))
}

/** The newest log position handed out so far (0 when none). */
export async function lastLogPosition(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ last: string | null }>(`select max(log_position) as last from inventory.outbox`)
  return Number(rows[0]?.last ?? 0)
}
