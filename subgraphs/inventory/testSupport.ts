import type { FastifyInstance } from 'fastify'
import type { Queryable } from '../../platform/db.ts'
import { execute } from '../../platform/testing.ts'
import type { Viewer } from '../../platform/viewer.ts'

/** Test helpers shared by this subgraph's test files. */
export interface LevelSnapshot {
  readonly version: bigint
  readonly quantities: Record<string, number>
}

export async function levelSnapshot(app: FastifyInstance, sku: string, locationId: string, who?: Viewer): Promise<LevelSnapshot> {
  const { data, errors } = await execute(
    app,
    `query($sku: String!, $loc: ID!) { inventoryLevels(filter: { skus: [$sku], locationIds: [$loc] }) { nodes { version quantities { name quantity } } } }`,
    { sku, loc: locationId },
    who,
  )
  const node = data?.['inventoryLevels']?.nodes?.[0]
  if (!node) throw new Error(`no level ${sku}@${locationId}: ${JSON.stringify(errors)}`)
  return {
    version: BigInt(node.version),
    quantities: Object.fromEntries(node.quantities.map((q: { name: string; quantity: number }) => [q.name, q.quantity])),
  }
}

export async function ledgerGroupCount(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from inventory.adjustment_groups`)
  return rows[0]?.n ?? NaN
}

export interface OutboxEvent<P = any> {
  readonly position: bigint
  readonly id: string
  readonly type: string
  readonly aggregateType: string
  readonly aggregateId: string
  readonly sequence: number
  readonly payload: P
}

/** What this subgraph appended to its outbox after `afterPosition`, in outbox order. */
export async function outboxEvents<P = any>(
  db: Queryable,
  filter: { type?: string; aggregateId?: string; afterPosition?: bigint } = {},
): Promise<OutboxEvent<P>[]> {
  const { rows } = await db.query<{ position: string; id: string; type: string; aggregate_type: string; aggregate_id: string; sequence: string; payload: P }>(
    `select position, id, type, aggregate_type, aggregate_id, sequence, payload from inventory.outbox
     where ($1::text is null or type = $1) and ($2::text is null or aggregate_id = $2) and position > $3::bigint
     order by position`,
    [filter.type ?? null, filter.aggregateId ?? null, String(filter.afterPosition ?? 0n)],
  )
  return rows.map((row) => ({
    position: BigInt(row.position), id: row.id, type: row.type, aggregateType: row.aggregate_type, aggregateId: row.aggregate_id,
    sequence: Number(row.sequence), payload: row.payload,
  }))
}

/** The outbox's last position: pass it as `afterPosition` to see only what a step appended. */
export async function outboxPosition(db: Queryable): Promise<bigint> {
  const { rows } = await db.query<{ p: string | null }>(`select max(position)::text as p from inventory.outbox`)
  return BigInt(rows[0]?.p ?? 0)
}
