/**
 * What must hold in the database once the services have recovered, whatever broke: each order
 * once, its stock committed once and its payment authorized once, stock that adds up, a balanced
 * ledger, no event left unpublished or dead-lettered, and a partner's stock feed that matches the
 * event log exactly. Read through the test's own connection (chaos database, `ChaosDatabase`).
 */
import assert from 'node:assert/strict'
import type { ChaosDatabase } from './chaosDatabase.ts'
import type { PartnerFeed, StockEvent } from './partnerFeed.ts'
import type { CheckoutOutcome } from './shoppers.ts'

const SCHEMAS = ['catalog', 'inventory', 'orders', 'finance'] as const

export interface StockTotals {
  readonly available: number
  readonly committed: number
  readonly reserved: number
}

/** AVAILABLE, COMMITTED and RESERVED of each sku, summed over its locations. */
export async function stockTotals(db: ChaosDatabase, skus: readonly string[]): Promise<Map<string, StockTotals>> {
  const rows = await db.query<{ sku: string; available: string; committed: string; reserved: string }>(
    `select sku, sum(available)::text as available, sum(committed)::text as committed, sum(reserved)::text as reserved
     from inventory.inventory_levels where sku = any($1::text[]) group by sku`,
    [skus],
  )
  return new Map(rows.map((r) => [r.sku, { available: Number(r.available), committed: Number(r.committed), reserved: Number(r.reserved) }]))
}

/** Rows nobody has published yet, and dead letters, in every schema (both 0 once events have settled). */
export async function eventBacklog(db: ChaosDatabase): Promise<{ unpublished: number; deadLetters: number }> {
  let unpublished = 0
  let deadLetters = 0
  for (const schema of SCHEMAS) {
    const [row] = await db.query<{ unpublished: string; dead: string }>(
      `select (select count(*) from ${schema}.outbox where published_at is null)::text as unpublished,
              (select count(*) from ${schema}.dead_letters)::text as dead`,
    )
    unpublished += Number(row?.unpublished ?? 0)
    deadLetters += Number(row?.dead ?? 0)
  }
  return { unpublished, deadLetters }
}

/** Per order: its lines, what inventory committed for them, and what finance recorded. */
interface OrderEffects {
  readonly id: string
  readonly customer_id: string
  readonly status: string
  readonly total: string
  readonly ordered: number
  readonly allocated: number
  readonly payments: number
  readonly authorizations: number
  readonly authorized: string | null
  readonly invoices: number
  readonly authorized_in_timeline: number
}

async function orderEffects(db: ChaosDatabase, customers: readonly string[]): Promise<OrderEffects[]> {
  return db.query<OrderEffects>(
    `select o.id, o.customer_id, o.status, o.total::text,
       (select coalesce(sum(quantity), 0) from orders.line_items l where l.order_id = o.id)::int as ordered,
       (select coalesce(sum(a.quantity), 0) from inventory.allocations a join orders.line_items l on l.id = a.line_item_id where l.order_id = o.id)::int as allocated,
       (select count(*) from finance.payments p where p.order_id = o.id)::int as payments,
       (select count(*) from finance.payment_transactions t join finance.payments p on p.id = t.payment_id
         where p.order_id = o.id and t.kind = 'AUTHORIZATION' and t.status = 'SUCCESS')::int as authorizations,
       (select sum(p.authorized)::text from finance.payments p where p.order_id = o.id) as authorized,
       (select count(*) from finance.invoices i where i.order_id = o.id)::int as invoices,
       (select count(*) from orders.order_timeline t where t.order_id = o.id and t.type = 'PAYMENT_AUTHORIZED')::int as authorized_in_timeline
     from orders.orders o where o.customer_id = any($1::text[]) order by o.id`,
    [customers],
  )
}

/** Whether every order of `customers` has had its stock committed and its payment authorized (the events settled). */
export async function ordersSettled(db: ChaosDatabase, customers: readonly string[]): Promise<boolean> {
  const effects = await orderEffects(db, customers)
  const backlog = await eventBacklog(db)
  return backlog.unpublished === 0 && effects.every((o) => o.allocated >= o.ordered && o.authorizations >= 1 && o.authorized_in_timeline >= 1)
}

/**
 * Every checkout a client saw succeed is one order, of that customer, and nothing else was
 * ordered for them; each order's stock is committed once, its payment authorized once for its
 * total, invoiced once, and its timeline says so once.
 */
export async function assertOrdersExactlyOnce(db: ChaosDatabase, outcomes: readonly CheckoutOutcome[]): Promise<void> {
  const customers = outcomes.map((o) => o.cart.customer)
  const effects = await orderEffects(db, customers)
  const placed = outcomes.filter((o) => o.orderId !== null)
  assert.deepEqual(
    effects.map((o) => o.id).sort(),
    placed.map((o) => o.orderId as string).sort(),
    'the orders in the database are exactly those the clients were told of',
  )
  for (const outcome of placed) {
    const order = effects.find((o) => o.id === outcome.orderId) as OrderEffects
    assert.equal(order.customer_id, outcome.cart.customer)
    assert.equal(order.status, 'OPEN', `order ${order.id} is open`)
    assert.equal(order.ordered, outcome.cart.lines.reduce((sum, l) => sum + l.quantity, 0), `order ${order.id} holds the cart's units`)
    assert.equal(order.allocated, order.ordered, `order ${order.id}: stock committed once`)
    assert.equal(order.payments, 1, `order ${order.id}: one payment`)
    assert.equal(order.authorizations, 1, `order ${order.id}: authorized once`)
    assert.equal(order.authorized, order.total, `order ${order.id}: authorized for its total`)
    assert.equal(order.invoices, 1, `order ${order.id}: invoiced once`)
    assert.equal(order.authorized_in_timeline, 1, `order ${order.id}: PAYMENT_AUTHORIZED once in its timeline`)
  }
}

/** A reservation made for one of the carts and still holding stock (ACTIVE). */
export interface HeldReservation {
  readonly id: string
  readonly sku: string
  readonly quantity: number
  readonly cartId: string
}

/** The ACTIVE reservations made for `carts` (by checkout, which names the cart as their reference). */
export async function heldReservations(db: ChaosDatabase, carts: readonly { id: string }[]): Promise<HeldReservation[]> {
  return db.query<HeldReservation>(
    `select id, sku, quantity, substring(reference_document_uri from '[^/]+$') as "cartId" from inventory.reservations
     where status = 'ACTIVE' and reference_document_uri = any($1::text[]) order by id`,
    [carts.map((c) => `gid://orders/Cart/${c.id}`)],
  )
}

/**
 * Stock moved by exactly what was ordered: AVAILABLE down and COMMITTED up by the units of the
 * placed orders, RESERVED back where it was (no reservation left behind), nothing below zero.
 */
export async function assertStockAddsUp(db: ChaosDatabase, before: ReadonlyMap<string, StockTotals>, outcomes: readonly CheckoutOutcome[]): Promise<void> {
  const sold = new Map<string, number>()
  for (const outcome of outcomes) {
    if (outcome.orderId === null) continue
    for (const line of outcome.cart.lines) sold.set(line.sku, (sold.get(line.sku) ?? 0) + line.quantity)
  }
  const after = await stockTotals(db, [...before.keys()])
  for (const [sku, was] of before) {
    const now = after.get(sku) as StockTotals
    const units = sold.get(sku) ?? 0
    assert.deepEqual(now, { available: was.available - units, committed: was.committed + units, reserved: was.reserved }, `${sku}: ${units} sold`)
  }
  const [negative] = await db.query<{ n: string }>(
    `select count(*)::text as n from inventory.inventory_levels where least(available, committed, reserved, damaged, safety_stock, quality_control, incoming) < 0`,
  )
  assert.equal(negative?.n, '0', 'no quantity below zero')
}

/** Every journal entry balances per currency, and so do the ledger's totals. */
export async function assertLedgerBalanced(db: ChaosDatabase): Promise<void> {
  const unbalanced = await db.query(
    `select entry_id, currency from finance.journal_lines group by entry_id, currency
     having sum(case when direction = 'DEBIT' then amount else -amount end) <> 0`,
  )
  assert.deepEqual(unbalanced, [], 'every journal entry balances')
  const totals = await db.query<{ currency: string; debits: string; credits: string }>(
    `select currency, sum(amount) filter (where direction = 'DEBIT')::text as debits, sum(amount) filter (where direction = 'CREDIT')::text as credits
     from finance.journal_lines group by currency`,
  )
  for (const row of totals) assert.equal(row.debits, row.credits, `debits equal credits in ${row.currency}`)
}

/** The log position of an event inventory published (its outbox row). */
export async function logPositionOf(db: ChaosDatabase, eventId: string): Promise<number> {
  const [row] = await db.query<{ p: string | null }>(`select max(log_position)::text as p from inventory.outbox where id = $1`, [eventId])
  if (!row?.p) throw new Error(`event ${eventId} is not in inventory's log`)
  return Number(row.p)
}

/** StockLevelChanged events of `skus` after `afterPosition`, in log order (what a partner must see). */
export async function stockEventLog(db: ChaosDatabase, skus: readonly string[], afterPosition: number): Promise<{ eventId: string; sku: string; version: string }[]> {
  const rows = await db.query<{ id: string; sku: string; version: string }>(
    `select id, payload->>'sku' as sku, payload->>'version' as version from inventory.outbox
     where type = 'StockLevelChanged' and log_position > $1::bigint and payload->>'sku' = any($2::text[])
     order by log_position`,
    [afterPosition, skus],
  )
  return rows.map((r) => ({ eventId: r.id, sku: r.sku, version: r.version }))
}

/**
 * The partner received every stock change after its first event exactly once and in the log's
 * order: the same event ids in the same sequence, no duplicate, no gap.
 */
export async function assertFeedMatchesLog(db: ChaosDatabase, feed: PartnerFeed, skus: readonly string[]): Promise<void> {
  const first = feed.events[0] as StockEvent
  const expected = await stockEventLog(db, skus, await logPositionOf(db, first.eventId))
  const received = feed.events.slice(1)
  const ids = received.map((e) => e.eventId)
  const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i)
  assert.deepEqual(duplicates, [], 'no stock event twice')
  const missing = expected.filter((e) => !ids.includes(e.eventId))
  assert.deepEqual(missing, [], `no stock event missed (${expected.length} in the log, ${received.length} received)`)
  assert.deepEqual(ids, expected.map((e) => e.eventId), 'stock events in the order of the log')
}
