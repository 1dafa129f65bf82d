import type { InventoryAdjustmentReason, PartnerFeedKind } from '../generated/resolvers.ts'
import type { FeedErrorCode } from '../feeds/errors.ts'
import type { FeedKind } from '../feeds/fields.ts'
import type { LevelChange } from '../feeds/levelChanges.ts'
import type { FeedMapping } from '../feeds/mapping.ts'
import type { MappingProposal } from '../feeds/propose.ts'
import type { RowError } from '../feeds/rowErrors.ts'
import type { InventoryUserErrorModel } from '../models.ts'

export const PARTNER_FEED_STATUSES = ['RECEIVED', 'AWAITING_MAPPING', 'APPLIED', 'REJECTED', 'DUPLICATE'] as const
export type PartnerFeedStatus = (typeof PARTNER_FEED_STATUSES)[number]

/** What an applied file did, kept with it (jsonb). */
export interface FeedSummary {
  readonly idempotencyKey: string
  readonly referenceDocumentUri: string
  readonly reason: Extract<InventoryAdjustmentReason, 'CYCLE_COUNT' | 'FULFILLMENT'>
  /** Rows read into records. */
  readonly records: number
  /** The deltas applied (none when the file matched what we had). */
  readonly changes: readonly LevelChange[]
  /** Shipment references an earlier file already took out of stock: their rows were not applied again. */
  readonly skippedReferences: readonly string[]
}

/** Why an approved mapping could not read a file at all (feeds/errors.ts FeedError). */
export interface FileError {
  readonly code: FeedErrorCode
  readonly message: string
  readonly problems: readonly string[]
}

/** A file a partner sent, as stored (its bytes aside). */
export interface PartnerFeedModel {
  readonly id: string
  readonly partnerId: string
  readonly kind: FeedKind
  readonly contentHash: string
  readonly byteSize: number
  readonly status: PartnerFeedStatus
  /** The sender's `locations` claim when it came; null: every location. */
  readonly allowedLocationIds: readonly string[] | null
  readonly duplicateOf: string | null
  readonly rowErrors: readonly RowError[]
  readonly fileError: FileError | null
  readonly summary: FeedSummary | null
  readonly adjustmentGroupId: string | null
  readonly receivedAt: Date
  readonly appliedAt: Date | null
  /** Arrival order (a sequence): the order waiting files are applied in, and the list's cursor. */
  readonly arrival: number
}

/** A partner's mapping of one kind of file: proposed from its first file, approved by staff. */
export interface PartnerFeedMappingModel {
  readonly partnerId: string
  readonly kind: FeedKind
  readonly status: 'PROPOSED' | 'APPROVED'
  readonly proposal: MappingProposal
  /** The headers of the file the proposal came from. */
  readonly headers: readonly string[]
  readonly proposedFrom: string
  readonly proposedAt: Date
  /** As approved; null while proposed. */
  readonly mapping: FeedMapping | null
  readonly approvedBy: string | null
  readonly approvedAt: Date | null
}

/** partnerFeedMappingApprove's payload as stored for replay: ids only, loaded again when read. */
export interface MappingApprovePayloadModel {
  readonly partnerId: string | null
  readonly kind: FeedKind | null
  /** The waiting files this approval settled, in arrival order. */
  readonly feedIds: readonly string[]
  readonly userErrors: readonly InventoryUserErrorModel[]
}

/** The kinds as the graph spells them (the library and the path spell them in kebab case). */
export const FEED_KIND_ENUM = { 'stock-snapshot': 'STOCK_SNAPSHOT', 'shipment-confirmation': 'SHIPMENT_CONFIRMATION' } as const satisfies Record<FeedKind, PartnerFeedKind>
export const feedKindOf = (value: PartnerFeedKind): FeedKind => (value === 'STOCK_SNAPSHOT' ? 'stock-snapshot' : 'shipment-confirmation')
