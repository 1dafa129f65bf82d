import type { Queryable } from '../../platform/db.ts'

/**
 * What the inventory's own books say about the simulated SKUs at one location: the ledger's
 * changes summed by state and reason, the levels as they stand, and the purchase orders' lines.
 * A season that lost or doubled a unit anywhere disagrees with itself here.
 */
export interface LedgerAccount {
  /** AVAILABLE added as the opening balance (RECEIVED, not from a purchase order). */
  readonly opening: number
  /** AVAILABLE added by receiving purchase orders (RECEIVED, referencing a replenishment). */
  readonly received: number
  /** AVAILABLE taken by placed orders (ORDER_PLACED). */
  readonly sold: number
  /** COMMITTED shipped (FULFILLMENT). */
  readonly shipped: number
  /** INCOMING added by approvals less INCOMING moved on by receipts. */
  readonly incomingFromLedger: number
  /** The levels now. */
  readonly available: number
  readonly committed: number
  readonly incoming: number
  /** Purchase order lines for these SKUs: units received, and units still open on ORDERED ones. */
  readonly orderLinesReceived: number
  readonly orderLinesOpen: number
}

const PO_REFERENCE = 'gid://inventory/Replenishment/%'

export async function ledgerAccount(db: Queryable, skus: readonly string[], locationId: string): Promise<LedgerAccount> {
  const { rows: changes } = await db.query<{ name: string; reason: string; from_po: boolean; units: number }>(
    `select c.name, g.reason, coalesce(g.reference_document_uri like $3, false) as from_po, sum(c.delta)::int as units
     from inventory.adjustment_changes c join inventory.adjustment_groups g on g.id = c.group_id
     where c.sku = any($1::text[]) and c.location_id = $2
     group by 1, 2, 3`,
    [skus, locationId, PO_REFERENCE],
  )
  const sum = (name: string, reason: string | null, fromPo: boolean | null = null) =>
    changes.filter((c) => c.name === name && (reason === null || c.reason === reason) && (fromPo === null || c.from_po === fromPo)).reduce((a, c) => a + c.units, 0)
  const { rows: [levels] } = await db.query<{ available: number; committed: number; incoming: number }>(
    `select coalesce(sum(available), 0)::int as available, coalesce(sum(committed), 0)::int as committed, coalesce(sum(incoming), 0)::int as incoming
     from inventory.inventory_levels where sku = any($1::text[]) and location_id = $2`,
    [skus, locationId],
  )
  const { rows: [lines] } = await db.query<{ received: number; open: number }>(
    `select coalesce(sum(l.received_quantity), 0)::int as received,
            coalesce(sum(l.quantity - l.received_quantity) filter (where r.status in ('ORDERED', 'PARTIALLY_RECEIVED')), 0)::int as open
     from inventory.replenishment_lines l join inventory.replenishments r on r.id = l.replenishment_id
     where l.sku = any($1::text[]) and r.destination_location_id = $2`,
    [skus, locationId],
  )
  return {
    opening: sum('AVAILABLE', 'RECEIVED', false),
    received: sum('AVAILABLE', 'RECEIVED', true),
    sold: -sum('AVAILABLE', 'ORDER_PLACED'),
    shipped: -sum('COMMITTED', 'FULFILLMENT'),
    incomingFromLedger: sum('INCOMING', null),
    available: levels?.available ?? 0,
    committed: levels?.committed ?? 0,
    incoming: levels?.incoming ?? 0,
    orderLinesReceived: lines?.received ?? 0,
    orderLinesOpen: lines?.open ?? 0,
  }
}

/** Every way the books can disagree with themselves or with what the season counted; empty when they all agree. */
export function accountingProblems(account: LedgerAccount, counted: { readonly opening: number; readonly sold: number; readonly received: number }): string[] {
  const problems: string[] = []
  const expect = (what: string, actual: number, expected: number) => {
    if (actual !== expected) problems.push(`${what}: ${actual}, expected ${expected}`)
  }
  expect('AVAILABLE now vs opening + received − sold (ledger)', account.available, account.opening + account.received - account.sold)
  expect('opening stock in the ledger vs stocked', account.opening, counted.opening)
  expect('units sold in the ledger vs sold', account.sold, counted.sold)
  expect('units shipped vs sold', account.shipped, account.sold)
  expect('COMMITTED now', account.committed, 0)
  expect('units received in the ledger vs received', account.received, counted.received)
  expect('purchase order lines received vs ledger', account.orderLinesReceived, account.received)
  expect('INCOMING now vs the ledger', account.incoming, account.incomingFromLedger)
  expect('INCOMING now vs open purchase order lines', account.incoming, account.orderLinesOpen)
  return problems
}
