import type { Queryable } from '../../../platform/db.ts'
import type { FeedKind } from '../feeds/fields.ts'
import type { FeedMapping } from '../feeds/mapping.ts'
import type { MappingProposal } from '../feeds/propose.ts'
import type { RowError } from '../feeds/rowErrors.ts'
import type { FeedSummary, FileError, PartnerFeedMappingModel, PartnerFeedModel, PartnerFeedStatus } from '../partnerFeeds/models.ts'

interface FeedRow {
  id: string
  partner_id: string
  kind: FeedKind
  content_hash: string
  byte_size: number
  status: PartnerFeedStatus
  allowed_location_ids: string[] | null
  duplicate_of: string | null
  row_errors: RowError[]
  file_error: FileError | null
  summary: FeedSummary | null
  adjustment_group_id: string | null
  received_at: Date
  applied_at: Date | null
  arrival: string
}

const FEED_COLUMNS =
  'f.id, f.partner_id, f.kind, f.content_hash, f.byte_size, f.status, f.allowed_location_ids, f.duplicate_of, f.row_errors, f.file_error, f.summary, f.adjustment_group_id, f.received_at, f.applied_at, f.arrival'

const toFeed = (row: FeedRow): PartnerFeedModel => ({
  id: row.id,
  partnerId: row.partner_id,
  kind: row.kind,
  contentHash: row.content_hash,
  byteSize: row.byte_size,
  status: row.status,
  allowedLocationIds: row.allowed_location_ids,
  duplicateOf: row.duplicate_of,
  rowErrors: row.row_errors,
  fileError: row.file_error,
  summary: row.summary,
  adjustmentGroupId: row.adjustment_group_id,
  receivedAt: row.received_at,
  appliedAt: row.applied_at,
  arrival: Number(row.arrival),
})

export interface NewFeed {
  readonly id: string
  readonly partnerId: string
  readonly kind: FeedKind
  readonly contentHash: string
  readonly byteSize: number
  /** The bytes as received; null for a DUPLICATE (the earlier feed holds them). */
  readonly content: Uint8Array | null
  readonly status: PartnerFeedStatus
  readonly allowedLocationIds: readonly string[] | null
  readonly duplicateOf: string | null
}

export async function insertFeed(tx: Queryable, feed: NewFeed): Promise<PartnerFeedModel> {
  const { rows } = await tx.query<FeedRow>(
    `insert into inventory.partner_feeds as f (id, partner_id, kind, content_hash, byte_size, content, status, allowed_location_ids, duplicate_of)
     values ($1, $2, $3, $4, $5, decode($6, 'base64'), $7, $8::text[], $9)
     returning ${FEED_COLUMNS}`,
    // as base64 text: both drivers pass a long string far faster than they encode a long bytea parameter
    [feed.id, feed.partnerId, feed.kind, feed.contentHash, feed.byteSize, feed.content && Buffer.from(feed.content.buffer, feed.content.byteOffset, feed.content.byteLength).toString('base64'), feed.status, feed.allowedLocationIds, feed.duplicateOf],
  )
  return toFeed(rows[0]!)
}

/**
 * The partner's earlier feed of these bytes that stands (received, waiting, applied): a repeat of
 * it is a DUPLICATE. A rejected file may be sent again once what it failed on is fixed.
 */
export async function standingFeedWithHash(db: Queryable, partnerId: string, contentHash: string): Promise<PartnerFeedModel | null> {
  const { rows } = await db.query<FeedRow>(
    `select ${FEED_COLUMNS} from inventory.partner_feeds f
     where f.partner_id = $1 and f.content_hash = $2 and f.status in ('RECEIVED', 'AWAITING_MAPPING', 'APPLIED')
     order by f.arrival limit 1`,
    [partnerId, contentHash],
  )
  return rows[0] ? toFeed(rows[0]) : null
}

export async function feedsByIds(db: Queryable, ids: readonly string[]): Promise<PartnerFeedModel[]> {
  if (ids.length === 0) return []
  const { rows } = await db.query<FeedRow>(`select ${FEED_COLUMNS} from inventory.partner_feeds f where f.id = any($1::text[])`, [ids])
  return rows.map(toFeed)
}

/** A waiting feed locked, with its bytes; null when it is gone or no longer waits (another request applied it). */
export async function lockWaitingFeed(tx: Queryable, id: string): Promise<{ feed: PartnerFeedModel; content: Uint8Array } | null> {
  const { rows } = await tx.query<FeedRow & { content: string | null }>(
    `select ${FEED_COLUMNS}, encode(f.content, 'base64') as content from inventory.partner_feeds f
     where f.id = $1 and f.status in ('RECEIVED', 'AWAITING_MAPPING') for update`,
    [id],
  )
  const row = rows[0]
  return row && row.content !== null ? { feed: toFeed(row), content: Buffer.from(row.content, 'base64') } : null
}

/** The ids of a partner's feeds of a kind that wait to be applied, in arrival order. */
export async function waitingFeedIds(db: Queryable, partnerId: string, kind: FeedKind): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `select id from inventory.partner_feeds where partner_id = $1 and kind = $2 and status in ('RECEIVED', 'AWAITING_MAPPING') order by arrival`,
    [partnerId, kind],
  )
  return rows.map((r) => r.id)
}

export async function markAwaitingMapping(tx: Queryable, id: string): Promise<void> {
  await tx.query(`update inventory.partner_feeds set status = 'AWAITING_MAPPING' where id = $1 and status = 'RECEIVED'`, [id])
}

/** A feed's end: applied (or a duplicate batch) or rejected. Its bytes are let go: the outcome is what is kept. */
export async function settleFeed(
  tx: Queryable,
  id: string,
  outcome: {
    status: 'APPLIED' | 'REJECTED' | 'DUPLICATE'
    rowErrors?: readonly RowError[]
    fileError?: FileError | null
    summary?: FeedSummary | null
    adjustmentGroupId?: string | null
    duplicateOf?: string | null
  },
): Promise<void> {
  await tx.query(
    `update inventory.partner_feeds
     set status = $2, row_errors = $3::jsonb, file_error = $4::jsonb, summary = $5::jsonb, adjustment_group_id = $6, duplicate_of = coalesce($7, duplicate_of),
         applied_at = case when $2 = 'APPLIED' then now() else null end, content = null
     where id = $1`,
    [
      id, outcome.status, JSON.stringify(outcome.rowErrors ?? []), outcome.fileError ? JSON.stringify(outcome.fileError) : null,
      outcome.summary ? JSON.stringify(outcome.summary) : null, outcome.adjustmentGroupId ?? null, outcome.duplicateOf ?? null,
    ],
  )
}

/** A rejected feed gives back its batch key and shipment references: the file, fixed or not, may be tried again. */
export async function releaseClaims(tx: Queryable, feedId: string): Promise<void> {
  await tx.query(`delete from inventory.partner_feed_batches where feed_id = $1`, [feedId])
  await tx.query(`delete from inventory.partner_shipments where feed_id = $1`, [feedId])
}

/** Claims a batch key for a feed: false when another feed already applied the same batch (whose id is returned). */
export async function claimBatch(tx: Queryable, idempotencyKey: string, feedId: string): Promise<{ claimed: true } | { claimed: false; feedId: string }> {
  const { rows } = await tx.query<{ feed_id: string }>(
    `insert into inventory.partner_feed_batches (idempotency_key, feed_id) values ($1, $2) on conflict (idempotency_key) do nothing returning feed_id`,
    [idempotencyKey, feedId],
  )
  if (rows.length > 0) return { claimed: true }
  const { rows: found } = await tx.query<{ feed_id: string }>(`select feed_id from inventory.partner_feed_batches where idempotency_key = $1`, [idempotencyKey])
  return { claimed: false, feedId: found[0]!.feed_id }
}

/**
 * Claims the partner's shipment references for a feed; returns those an earlier feed already
 * took out of stock. A concurrent claim of the same reference waits for the other transaction
 * (the insert's unique check), so a reference is applied once however files race.
 */
export async function claimShipments(tx: Queryable, partnerId: string, references: readonly string[], feedId: string): Promise<Set<string>> {
  const unique = [...new Set(references)]
  if (unique.length === 0) return new Set()
  const { rows } = await tx.query<{ reference: string }>(
    `insert into inventory.partner_shipments (partner_id, reference, feed_id)
     select $1, r, $3 from unnest($2::text[]) as r
     on conflict (partner_id, reference) do nothing returning reference`,
    [partnerId, unique, feedId],
  )
  const claimed = new Set(rows.map((r) => r.reference))
  return new Set(unique.filter((r) => !claimed.has(r)))
}

export interface FeedListFilter {
  readonly partnerId: string | null
  readonly kind: FeedKind | null
  readonly statuses: readonly PartnerFeedStatus[] | null
}

/** Newest first, keyset on arrival. */
export async function listFeeds(db: Queryable, filter: FeedListFilter, page: { beforeArrival: number | null; limit: number }): Promise<PartnerFeedModel[]> {
  const { rows } = await db.query<FeedRow>(
    `select ${FEED_COLUMNS} from inventory.partner_feeds f
     where ($1::text is null or f.partner_id = $1)
       and ($2::text is null or f.kind = $2)
       and ($3::text[] is null or f.status = any($3::text[]))
       and ($4::bigint is null or f.arrival < $4)
     order by f.arrival desc limit $5`,
    [filter.partnerId, filter.kind, filter.statuses, page.beforeArrival, page.limit],
  )
  return rows.map(toFeed)
}

interface MappingRow {
  partner_id: string
  kind: FeedKind
  status: 'PROPOSED' | 'APPROVED'
  proposal: MappingProposal
  headers: string[]
  proposed_from: string
  proposed_at: Date
  mapping: FeedMapping | null
  approved_by: string | null
  approved_at: Date | null
}

const MAPPING_COLUMNS = 'partner_id, kind, status, proposal, headers, proposed_from, proposed_at, mapping, approved_by, approved_at'

const toMapping = (row: MappingRow): PartnerFeedMappingModel => ({
  partnerId: row.partner_id,
  kind: row.kind,
  status: row.status,
  proposal: row.proposal,
  headers: row.headers,
  proposedFrom: row.proposed_from,
  proposedAt: row.proposed_at,
  mapping: row.mapping,
  approvedBy: row.approved_by,
  approvedAt: row.approved_at,
})

export async function mappingOf(db: Queryable, partnerId: string, kind: FeedKind, options: { lock?: boolean } = {}): Promise<PartnerFeedMappingModel | null> {
  const { rows } = await db.query<MappingRow>(
    `select ${MAPPING_COLUMNS} from inventory.partner_feed_mappings where partner_id = $1 and kind = $2${options.lock ? ' for update' : ''}`,
    [partnerId, kind],
  )
  return rows[0] ? toMapping(rows[0]) : null
}

/** The first proposal for a partner and kind; a later file finds it there and waits with it. */
export async function insertProposal(tx: Queryable, proposal: { partnerId: string; kind: FeedKind; proposal: MappingProposal; headers: readonly string[]; proposedFrom: string }): Promise<void> {
  await tx.query(
    `insert into inventory.partner_feed_mappings (partner_id, kind, status, proposal, headers, proposed_from)
     values ($1, $2, 'PROPOSED', $3::jsonb, $4::jsonb, $5)
     on conflict (partner_id, kind) do nothing`,
    [proposal.partnerId, proposal.kind, JSON.stringify(proposal.proposal), JSON.stringify(proposal.headers), proposal.proposedFrom],
  )
}

export async function approveMapping(tx: Queryable, partnerId: string, kind: FeedKind, mapping: FeedMapping, approvedBy: string | null): Promise<void> {
  await tx.query(
    `update inventory.partner_feed_mappings set status = 'APPROVED', mapping = $3::jsonb, approved_by = $4, approved_at = now()
     where partner_id = $1 and kind = $2`,
    [partnerId, kind, JSON.stringify(mapping), approvedBy],
  )
}

/** The partner's location codes (code → our id) from its approved mappings: a new kind's proposal knows them. */
export async function approvedLocationCodes(db: Queryable, partnerId: string): Promise<Record<string, string>> {
  const { rows } = await db.query<{ codes: Record<string, string> | null }>(
    `select mapping -> 'fields' -> 'locationId' -> 'transform' -> 'codes' as codes
     from inventory.partner_feed_mappings where partner_id = $1 and status = 'APPROVED'`,
    [partnerId],
  )
  return Object.assign({}, ...rows.map((r) => r.codes ?? {}))
}

/** Every SKU and location id of ours: what a feed's rows are checked against. */
export async function ourSkusAndLocations(db: Queryable): Promise<{ skus: Set<string>; locationIds: Set<string> }> {
  const [{ rows: skus }, { rows: locations }] = [
    await db.query<{ sku: string }>(`select sku from inventory.inventory_items`),
    await db.query<{ id: string }>(`select id from inventory.locations`),
  ]
  return { skus: new Set(skus.map((r) => r.sku)), locationIds: new Set(locations.map((r) => r.id)) }
}
