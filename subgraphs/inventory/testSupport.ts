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
