import { after, before } from 'node:test'
import type { FastifyInstance } from 'fastify'
import type { Database, Queryable } from '../../platform/db.ts'
import { execute, openSubgraphTestApp, openTestDatabase, type SubgraphTestApp, type TestDatabase } from '../../platform/testing.ts'
import type { Viewer } from '../../platform/viewer.ts'
import { inventory } from './subgraph.ts'

/** Test helpers shared by this subgraph's test files. */

/**
 * The inventory app of the enclosing describe block: opened before its tests and closed after
 * them. Its parts exist once the block runs: read them inside tests and hooks (`t.app`).
 */
export function inventoryAppForSuite(): Omit<SubgraphTestApp, 'close'> {
  let opened: SubgraphTestApp | null = null
  before(async () => {
    opened = await openSubgraphTestApp(inventory)
  })
  after(() => opened?.close())
  const current = (): SubgraphTestApp => {
    if (!opened) throw new Error('the inventory test app opens before the tests: use it inside them')
    return opened
  }
  return {
    get test() {
      return current().test
    },
    get app() {
      return current().app
    },
    get db() {
      return current().db
    },
    outbox: (filter) => current().outbox(filter),
    outboxPosition: () => current().outboxPosition(),
  }
}

/** A database of the enclosing describe block's own, migrated and seeded for inventory, like `inventoryAppForSuite`. */
export function inventoryDatabaseForSuite(): { readonly db: Database } {
  let opened: TestDatabase | null = null
  before(async () => {
    opened = await openTestDatabase([inventory])
  })
  after(() => opened?.close())
  return {
    get db() {
      if (!opened) throw new Error('the inventory test database opens before the tests: use it inside them')
      return opened.db
    },
  }
}
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
