import { randomUUID } from 'node:crypto'
import type { Queryable } from '../../../platform/db.ts'
import { levelAggregateId } from '../events.ts'
import type { InventoryAdjustmentReason } from '../generated/resolvers.ts'
import { kit } from '../kit.ts'
import { STORED_QUANTITY_NAMES, type Quantities, type StoredQuantityName } from '../models.ts'
import { stockLevelChangedOf } from '../stockLevelChanged.ts'
import { LEVEL_COLUMNS, quantitiesOf, type LevelKey, type LevelRow } from './levelStore.ts'

export interface LevelChange {
  readonly sku: string
  readonly locationId: string
  readonly name: StoredQuantityName
  /** Never 0: the ledger records changes only. */
  readonly delta: number
}

export interface LevelChangeGroup {
  readonly reason: InventoryAdjustmentReason
  readonly referenceDocumentUri: string | null
  /** Who asked (the viewer's subject, or a system job). */
  readonly actor: string | null
  readonly changes: readonly LevelChange[]
}

/** One level before and after a group, with the version it now carries. */
export interface ChangedLevel {
  readonly sku: string
  readonly locationId: string
  readonly before: Quantities
  readonly after: Quantities
  readonly version: string
}

export type ApplyResult =
  | { readonly kind: 'applied'; readonly groupId: string; readonly levels: readonly ChangedLevel[] }
  /** Some level is missing or would go below zero: nothing was changed. */
  | { readonly kind: 'rejected'; readonly levels: readonly LevelKey[] }

const keyOf = (sku: string, locationId: string) => `${sku}\u0000${locationId}`
const zero = (): Quantities => ({ AVAILABLE: 0, COMMITTED: 0, RESERVED: 0, DAMAGED: 0, SAFETY_STOCK: 0, QUALITY_CONTROL: 0, INCOMING: 0 })

/**
 * THE way stock changes. Every mutation, reservation, release, expiry and order event goes
 * through here, so every change bumps the level's version (one global sequence), lands in the
 * ledger as one adjustment group and appends one `StockLevelChanged` per changed level to the
 * outbox, all in the caller's transaction. The update is conditional (no state may go below
 * zero): when any level cannot take its changes, nothing is written and the
 * caller learns which levels refused. Must run inside a transaction.
 */
export async function applyLevelChanges(tx: Queryable, group: LevelChangeGroup): Promise<ApplyResult> {
  if (group.changes.length === 0) throw new Error('an adjustment group needs at least one change')
  const totals = new Map<string, { sku: string; locationId: string; delta: Quantities }>()
  for (const change of group.changes) {
    const key = keyOf(change.sku, change.locationId)
    const entry = totals.get(key) ?? { sku: change.sku, locationId: change.locationId, delta: zero() }
    entry.delta[change.name] += change.delta
    totals.set(key, entry)
  }
  const levels = [...totals.values()].sort((a, b) => (a.sku === b.sku ? cmp(a.locationId, b.locationId) : cmp(a.sku, b.sku)))
  const skus = levels.map((l) => l.sku)
  const locationIds = levels.map((l) => l.locationId)

  // lock in a fixed order first (the update below would lock in whatever order the plan picks)
  // and read what is there: with the rows locked, the levels that cannot take their changes are
  // known before anything is written, so a refusal leaves nothing to undo (no savepoint)
  const { rows: current } = await tx.query<LevelRow>(
    `select ${LEVEL_COLUMNS} from inventory.inventory_levels l
     where (l.sku, l.location_id) in (select * from unnest($1::text[], $2::text[]))
     order by l.sku, l.location_id for update`,
    [skus, locationIds],
  )
  const found = new Map(current.map((row) => [keyOf(row.sku, row.location_id), quantitiesOf(row)]))
  const refused = levels.filter((level) => {
    const quantities = found.get(keyOf(level.sku, level.locationId))
    return !quantities || STORED_QUANTITY_NAMES.some((name) => quantities[name] + level.delta[name] < 0)
  })
  if (refused.length > 0) return { kind: 'rejected', levels: refused.map(({ sku, locationId }) => ({ sku, locationId })) }
  const { rows } = await tx.query<LevelRow>(
    `update inventory.inventory_levels l set
       available = l.available + d.available,
       committed = l.committed + d.committed,
       reserved = l.reserved + d.reserved,
       damaged = l.damaged + d.damaged,
       safety_stock = l.safety_stock + d.safety_stock,
       quality_control = l.quality_control + d.quality_control,
       incoming = l.incoming + d.incoming,
       version = nextval('inventory.level_version_seq'),
       updated_at = now()
     from unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[], $9::int[])
       as d(sku, location_id, available, committed, reserved, damaged, safety_stock, quality_control, incoming)
     where l.sku = d.sku and l.location_id = d.location_id
       and l.available + d.available >= 0 and l.committed + d.committed >= 0 and l.reserved + d.reserved >= 0
       and l.damaged + d.damaged >= 0 and l.safety_stock + d.safety_stock >= 0
       and l.quality_control + d.quality_control >= 0 and l.incoming + d.incoming >= 0
     returning ${LEVEL_COLUMNS}`,
    [skus, locationIds, ...STORED_QUANTITY_NAMES.map((name) => levels.map((l) => l.delta[name]))],
  )
  // the rows are locked and were checked above: a shortfall here is a broken assumption, and
  // throwing rolls the caller's transaction back (the conditional update still never goes below zero)
  if (rows.length !== levels.length) throw new Error(`stock levels changed under their row locks (${rows.length} of ${levels.length} updated)`)

  const changed = rows
    .map((row): ChangedLevel => {
      const after = quantitiesOf(row)
      const delta = (totals.get(keyOf(row.sku, row.location_id)) as { delta: Quantities }).delta
      const before = Object.fromEntries(STORED_QUANTITY_NAMES.map((name) => [name, after[name] - delta[name]])) as Quantities
      return { sku: row.sku, locationId: row.location_id, before, after, version: String(row.version) }
    })
    // the order the events take each level's sequence row in, the same as the level locks above
    .sort((x, y) => (x.sku === y.sku ? cmp(x.locationId, y.locationId) : cmp(x.sku, y.sku)))

  // quantityAfterChange walks the changes in input order from each level's quantities before
  const running = new Map(changed.map((level) => [keyOf(level.sku, level.locationId), { ...level.before }]))
  const recorded = group.changes.map((change, position) => {
    const quantities = running.get(keyOf(change.sku, change.locationId)) as Quantities
    quantities[change.name] += change.delta
    return { ...change, position, quantityAfterChange: quantities[change.name] }
  })

  const groupId = `adj_${randomUUID()}`
  // the group and its changes in one statement (the foreign key is checked at its end)
  await tx.query(
    `with grouped as (
       insert into inventory.adjustment_groups (id, reason, reference_document_uri, actor) values ($1, $2, $3, $4)
     )
     insert into inventory.adjustment_changes (group_id, position, sku, location_id, name, delta, quantity_after_change)
     select $1, position, sku, location_id, name, delta, quantity_after_change
     from unnest($5::int[], $6::text[], $7::text[], $8::text[], $9::int[], $10::int[]) as r (position, sku, location_id, name, delta, quantity_after_change)`,
    [
      groupId, group.reason, group.referenceDocumentUri, group.actor,
      recorded.map((c) => c.position), recorded.map((c) => c.sku), recorded.map((c) => c.locationId),
      recorded.map((c) => c.name), recorded.map((c) => c.delta), recorded.map((c) => c.quantityAfterChange),
    ],
  )
  await appendStockLevelChanges(tx, changed, { reason: group.reason, referenceDocumentUri: group.referenceDocumentUri, adjustmentGroupId: groupId })
  return { kind: 'applied', groupId, levels: changed }
}

/**
 * One event per changed level. The level stays locked until commit and its sequence row is taken
 * after its new version, so per level the event sequence and the version rise together: the stock
 * feed can resume from either. A level whose deltas cancel out (+1 and -1) changed nothing a
 * subscriber could see, so it gets a version but no event (a version gap, which feeds tolerate).
 */
async function appendStockLevelChanges(
  tx: Queryable,
  levels: readonly ChangedLevel[],
  context: { reason: string; referenceDocumentUri: string | null; adjustmentGroupId: string },
): Promise<void> {
  for (const level of levels) {
    const payload = stockLevelChangedOf(level, context)
    if (payload.changes.length === 0) continue
    await kit.publish(tx, {
      type: 'StockLevelChanged',
      aggregateId: levelAggregateId(level.sku, level.locationId),
      payload,
    })
  }
}

/** For callers whose changes cannot fail unless an invariant is broken (release, expiry). */
export async function applyLevelChangesOrThrow(tx: Queryable, group: LevelChangeGroup): Promise<{ groupId: string; levels: readonly ChangedLevel[] }> {
  const result = await applyLevelChanges(tx, group)
  if (result.kind === 'rejected') {
    throw new Error(`inventory invariant broken: levels ${result.levels.map((l) => `${l.sku}@${l.locationId}`).join(', ')} refused ${group.reason} changes`)
  }
  return result
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
