import { randomUUID } from 'node:crypto'
import { after, before } from 'node:test'
import type { FastifyInstance } from 'fastify'
import type { Database, Queryable } from '../../platform/db.ts'
import { execute, openSubgraphTestApp, openTestDatabase, type SubgraphTestApp, type TestDatabase } from '../../platform/testing.ts'
import type { EventEnvelope } from '../../platform/events.ts'
import type { Viewer } from '../../platform/viewer.ts'
import type { World } from '../../seed/world.ts'
import type { OrderPlaced } from '../orders/events.ts'
import { demandOf } from './seed.ts'
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

/** Levels at `locationId` the seed gave no demand, reservations or commitments: a test's own to shape. */
export function freshLevels(world: World, locationId: string): World['stockLevels'] {
  const seeded = new Set(demandOf(world).map((d) => `${d.sku}@${d.locationId}`))
  return world.stockLevels.filter((s) => s.locationId === locationId && !seeded.has(`${s.sku}@${s.locationId}`) && s.reserved === 0 && s.committed === 0)
}

const DAY_MS = 86_400_000
/** Noon UTC of a day number (days since 1970-01-01), as an ISO instant. */
export const noonOf = (day: number): string => new Date(day * DAY_MS + 12 * 3600_000).toISOString()

/**
 * An OrderPlaced event of one line, placed at noon of `day`: ids `ord_<tag>`, `li_<tag>`,
 * `res_<tag>` (a reservation that does not exist, as after its expiry), a fresh event id.
 */
export function orderPlacedEvent(line: { readonly tag: string; readonly day: number; readonly sku: string; readonly locationId: string; readonly quantity: number }): EventEnvelope {
  const { tag, day, sku, locationId, quantity } = line
  const order: OrderPlaced = {
    orderId: `ord_${tag}`, number: `#${tag}`, customerId: 'c_1001', currency: 'USD', countryCode: 'US', placedAt: noonOf(day),
    paymentMethodToken: 'pm_test', subtotal: '0', taxTotal: '0', shippingTotal: '0', discountTotal: '0', total: '0', pricesIncludeTax: false,
    lines: [{ lineItemId: `li_${tag}`, sku, title: sku, quantity, unitPrice: '1000', taxLines: [], total: '0', reservationId: `res_${tag}`, locationId }],
  }
  return { id: randomUUID(), type: 'OrderPlaced', source: 'orders', aggregateType: 'Order', aggregateId: order.orderId, sequence: 1, occurredAt: noonOf(day), traceContext: {}, payload: order }
}
