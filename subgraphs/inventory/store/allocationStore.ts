import type { Queryable } from '../../../platform/db.ts'
import { insertRows } from '../../../platform/insertRows.ts'
import type { AllocationModel } from '../models.ts'

export async function allocationsByLineItemIds(db: Queryable, lineItemIds: readonly string[]): Promise<AllocationModel[]> {
  const { rows } = await db.query<AllocationModel>(
    `select line_item_id as "lineItemId", sku, location_id as "locationId", quantity from inventory.allocations
     where line_item_id = any($1::text[]) order by line_item_id, location_id`,
    [lineItemIds],
  )
  return rows
}

/**
 * An allocation as written: new ones have shipped nothing; the demo store's may have shipped some.
 * `demandDay`: the day its order counts as demand on, where a cancellation takes it back.
 */
export interface NewAllocation extends AllocationModel {
  readonly fulfilledQuantity?: number
  readonly demandDay?: number
}

export async function insertAllocations(tx: Queryable, allocations: readonly NewAllocation[]): Promise<void> {
  await insertRows(tx, 'inventory.allocations', allocations, {
    lineItemId: 'text', sku: 'text', locationId: 'text', quantity: 'int', fulfilledQuantity: ['int', (a) => a.fulfilledQuantity ?? 0],
    demandDay: ['int', (a) => a.demandDay ?? null],
  })
}

/**
 * Records shipped units on the allocations at `locationId`, only where the allocation still has
 * that many unshipped: returns the lines it recorded (a missing one was never committed there).
 */
export async function fulfillAllocations(
  tx: Queryable,
  locationId: string,
  lines: readonly { lineItemId: string; quantity: number }[],
): Promise<{ lineItemId: string; sku: string; quantity: number }[]> {
  const { rows } = await tx.query<{ line_item_id: string; sku: string; quantity: number }>(
    `update inventory.allocations a set fulfilled_quantity = a.fulfilled_quantity + d.quantity
     from unnest($2::text[], $3::int[]) as d(line_item_id, quantity)
     where a.line_item_id = d.line_item_id and a.location_id = $1 and a.fulfilled_quantity + d.quantity <= a.quantity
     returning a.line_item_id, a.sku, d.quantity`,
    [locationId, lines.map((l) => l.lineItemId), lines.map((l) => l.quantity)],
  )
  return rows.map((row) => ({ lineItemId: row.line_item_id, sku: row.sku, quantity: row.quantity }))
}

/**
 * Takes the unshipped units off the line items' allocations (the allocation goes when nothing of it
 * shipped, else shrinks to what shipped) and returns how many units each gave up. The rows are
 * locked and changed in one statement, so a second cancellation finds nothing left to give back.
 * `demandDay` is the allocation's (null for one written without it).
 */
export async function cancelAllocations(
  tx: Queryable,
  lineItemIds: readonly string[],
): Promise<{ lineItemId: string; sku: string; locationId: string; units: number; demandDay: number | null }[]> {
  const { rows } = await tx.query<{ line_item_id: string; sku: string; location_id: string; units: number; demand_day: number | null }>(
    `with unshipped as (
       select a.line_item_id, a.sku, a.location_id, a.quantity - a.fulfilled_quantity as units, a.fulfilled_quantity, a.demand_day
       from inventory.allocations a
       where a.line_item_id = any($1::text[]) and a.quantity > a.fulfilled_quantity
       for update
     ), removed as (
       delete from inventory.allocations a using unshipped o
       where a.line_item_id = o.line_item_id and a.location_id = o.location_id and o.fulfilled_quantity = 0
     ), shrunk as (
       update inventory.allocations a set quantity = o.fulfilled_quantity from unshipped o
       where a.line_item_id = o.line_item_id and a.location_id = o.location_id and o.fulfilled_quantity > 0
     )
     select line_item_id, sku, location_id, units, demand_day from unshipped order by line_item_id, location_id`,
    [lineItemIds],
  )
  return rows.map((row) => ({ lineItemId: row.line_item_id, sku: row.sku, locationId: row.location_id, units: row.units, demandDay: row.demand_day }))
}
