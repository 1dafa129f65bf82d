import type { Queryable } from '../../../platform/db.ts'
import { applyMapping, type ApplyContext, type FeedBatch, type ShipmentRecord, type SnapshotRecord } from '../feeds/apply.ts'
import { FeedError } from '../feeds/errors.ts'
import type { FeedRow, ParsedFeed } from '../feeds/feed.ts'
import { levelKey, shipmentChanges, type CurrentLevel, type LevelChange } from '../feeds/levelChanges.ts'
import type { FeedMapping } from '../feeds/mapping.ts'
import { parseFeed } from '../feeds/parse.ts'
import type { RowError } from '../feeds/rowErrors.ts'
import { STORED_QUANTITY_NAMES, type StoredQuantityName } from '../models.ts'
import { applyLevelChanges } from '../store/levelChangeStore.ts'
import { lockLevels } from '../store/levelStore.ts'
import { claimBatch, claimShipments, lockWaitingFeed, ourSkusAndLocations, releaseClaims, settleFeed } from '../store/partnerFeedStore.ts'
import type { FeedSummary, PartnerFeedStatus } from './models.ts'

type Settled = Extract<PartnerFeedStatus, 'APPLIED' | 'REJECTED' | 'DUPLICATE'>

/** Bytes already accepted once are read again without a size limit of their own: the limit applied when they came. */
const STORED_FEED_LIMITS = { maxBytes: Number.MAX_SAFE_INTEGER }

/**
 * Applies one waiting feed through an approved mapping, in the caller's transaction: every row
 * read and checked (feeds/apply.ts), the rows at locations its sender's token does not cover
 * refused, the batch key claimed (the same file twice is a DUPLICATE), shipments an earlier file
 * took out skipped, then every change in ONE adjustment group through `applyLevelChanges` (ledger
 * and StockLevelChanged). Any failing row rejects the whole file with every row's reason, and
 * nothing of it is applied. Null when the feed no longer waits (another request settled it).
 */
export async function applyWaitingFeed(tx: Queryable, feedId: string, mapping: FeedMapping): Promise<Settled | null> {
  const waiting = await lockWaitingFeed(tx, feedId)
  if (!waiting) return null
  const { feed } = waiting
  const parsed = parseFeed(waiting.content, STORED_FEED_LIMITS)
  const ours = await ourSkusAndLocations(tx)
  const context: ApplyContext = { partnerId: feed.partnerId, skus: ours.skus, locationIds: ours.locationIds, levels: new Map() }

  // first without levels, for the rows' own faults and the levels the file touches; a snapshot
  // that fails here fails against any levels (what is held there only adds to what it checks)
  const first = readBatch(mapping, parsed, context)
  if (!first.ok) return reject(tx, feedId, first)
  const records = first.batch.records
  const touched = new Map(records.map((r) => [levelKey(r.sku, r.locationId), { sku: r.sku, locationId: r.locationId }]))
  const rowOf = new Map(parsed.rows.map((row) => [row.row, row]))
  const locationColumn = mapping.fields.locationId?.column ?? null

  const allowed = feed.allowedLocationIds
  if (allowed !== null) {
    const outside = records.filter((r) => !allowed.includes(r.locationId))
    if (outside.length > 0) {
      const errors = outside.map((r) => rowError(rowOf.get(r.row), r.row, locationColumn, 'LOCATION_NOT_PERMITTED', `${r.locationId} is not one of the locations this partner's token covers (${allowed.join(', ') || 'none'})`))
      return reject(tx, feedId, { ok: false, errors })
    }
  }

  // the levels stay locked to the end of the transaction: a snapshot's deltas hold until applied
  const locked = await lockLevels(tx, [...touched.values()])
  const levels = new Map<string, CurrentLevel>(locked.map((level) => [levelKey(level.sku, level.locationId), level.quantities]))
  const unstocked = records.filter((r) => !levels.has(levelKey(r.sku, r.locationId)))
  if (unstocked.length > 0) {
    const errors = unstocked.map((r) => rowError(rowOf.get(r.row), r.row, locationColumn, 'ITEM_NOT_STOCKED_AT_LOCATION', `${r.sku} has no stock level at ${r.locationId}`))
    return reject(tx, feedId, { ok: false, errors })
  }

  const result = first.batch.kind === 'stock-snapshot' ? readBatch(mapping, parsed, { ...context, levels }) : first
  if (!result.ok) return reject(tx, feedId, result)
  const batch = result.batch

  const claim = await claimBatch(tx, batch.idempotencyKey, feedId)
  if (!claim.claimed) {
    await settleFeed(tx, feedId, { status: 'DUPLICATE', duplicateOf: claim.feedId })
    return 'DUPLICATE'
  }

  let changes: readonly LevelChange[] = batch.changes
  let skippedReferences: string[] = []
  let applied: readonly (typeof batch.records)[number][] = batch.records
  if (batch.kind === 'shipment-confirmation') {
    const already = await claimShipments(tx, feed.partnerId, batch.records.map((r) => r.reference), feedId)
    skippedReferences = [...already].sort()
    const fresh = batch.records.filter((r) => !already.has(r.reference))
    applied = fresh
    changes = shipmentChanges(fresh)
  }

  let adjustmentGroupId: string | null = null
  if (changes.length > 0) {
    const outcome = await applyLevelChanges(tx, { reason: batch.reason, referenceDocumentUri: batch.referenceDocumentUri, actor: feed.partnerId, changes: changes.map(storedChange) })
    if (outcome.kind === 'rejected') {
      return reject(tx, feedId, { ok: false, errors: shortfalls(applied, changes, levels, outcome.levels, (r) => rowOf.get(r), mapping.fields.quantity?.column ?? null) })
    }
    adjustmentGroupId = outcome.groupId
  }
  const summary: FeedSummary = {
    idempotencyKey: batch.idempotencyKey,
    referenceDocumentUri: batch.referenceDocumentUri,
    reason: batch.reason,
    records: applied.length,
    changes,
    skippedReferences,
  }
  await settleFeed(tx, feedId, { status: 'APPLIED', summary, adjustmentGroupId })
  return 'APPLIED'
}

type ReadResult = { ok: true; batch: FeedBatch } | { ok: false; errors: readonly RowError[]; fileError?: FeedError }

/** applyMapping, with a mapping that cannot read this file at all (a column gone) as a result, not a throw. */
function readBatch(mapping: FeedMapping, feed: ParsedFeed, context: ApplyContext): ReadResult {
  try {
    return applyMapping(mapping, feed, context)
  } catch (error) {
    if (error instanceof FeedError) return { ok: false, errors: [], fileError: error }
    throw error
  }
}

async function reject(tx: Queryable, feedId: string, result: Extract<ReadResult, { ok: false }>): Promise<'REJECTED'> {
  await releaseClaims(tx, feedId)
  const fileError = result.fileError ? { code: result.fileError.code, message: result.fileError.message, problems: result.fileError.problems } : null
  await settleFeed(tx, feedId, { status: 'REJECTED', rowErrors: [...result.errors].sort((a, b) => a.row - b.row), fileError })
  return 'REJECTED'
}

function rowError(row: FeedRow | undefined, rowNumber: number, column: string | null, code: RowError['code'], reason: string): RowError {
  return { row: rowNumber, line: row?.line ?? null, column, code, reason }
}

/** A feed's change as the level-change layer takes it: only stored states come out of a batch. */
function storedChange(change: LevelChange): { sku: string; locationId: string; name: StoredQuantityName; delta: number } {
  if (!(STORED_QUANTITY_NAMES as readonly string[]).includes(change.name)) throw new Error(`a feed batch changed ${change.name}, which is not stored`)
  return { ...change, name: change.name as StoredQuantityName }
}

/**
 * The rows of levels `applyLevelChanges` refused: a shipped row when the state it ships from
 * (COMMITTED for one of our orders, else AVAILABLE) runs short; a snapshot's row (whose deltas
 * were computed on the locked levels, so this is not expected) whatever its state.
 */
function shortfalls(
  records: readonly (SnapshotRecord | ShipmentRecord)[],
  changes: readonly LevelChange[],
  levels: ReadonlyMap<string, CurrentLevel>,
  refused: readonly { sku: string; locationId: string }[],
  rowOf: (row: number) => FeedRow | undefined,
  column: string | null,
): RowError[] {
  const refusedKeys = new Set(refused.map((l) => levelKey(l.sku, l.locationId)))
  const short = new Map<string, string>()
  for (const c of changes) {
    const key = levelKey(c.sku, c.locationId)
    const held = levels.get(key)?.[c.name] ?? 0
    if (refusedKeys.has(key) && held + c.delta < 0) short.set(`${key}:${c.name}`, `the file takes ${-c.delta} from ${c.name} of ${c.sku} at ${c.locationId}, which holds ${held}`)
  }
  const errors: RowError[] = []
  for (const r of records) {
    const key = levelKey(r.sku, r.locationId)
    if (!refusedKeys.has(key)) continue
    const state = 'orderId' in r ? (r.orderId === null ? 'AVAILABLE' : 'COMMITTED') : null
    const reason = state === null ? [...short.entries()].find(([k]) => k.startsWith(`${key}:`))?.[1] : short.get(`${key}:${state}`)
    if (state === null || reason !== undefined) errors.push(rowError(rowOf(r.row), r.row, column, 'INSUFFICIENT_STOCK', reason ?? `${r.sku} at ${r.locationId} cannot take the file's changes`))
  }
  return errors
}
