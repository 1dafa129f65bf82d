import { randomUUID } from 'node:crypto'
import type { Database, Queryable } from '../../../platform/db.ts'
import type { EventEnvelope } from '../../../platform/events.ts'
import { publishedIn } from '../../../platform/outbox.ts'
import type { FeedKind } from '../feeds/fields.ts'
import type { ParsedFeed } from '../feeds/feed.ts'
import { parseFeed } from '../feeds/parse.ts'
import { profileFeed } from '../feeds/profile.ts'
import { proposeMapping } from '../feeds/propose.ts'
import {
  approvedLocationCodes,
  feedsByIds,
  insertFeed,
  insertProposal,
  mappingOf,
  markAwaitingMapping,
  ourSkusAndLocations,
  standingFeedWithHash,
  waitingFeedIds,
} from '../store/partnerFeedStore.ts'
import { applyWaitingFeed } from './applyFeed.ts'
import type { PartnerFeedModel } from './models.ts'

export interface IncomingFeed {
  /** The sender, from its credentials: the partner whose mapping reads the file. */
  readonly partnerId: string
  readonly kind: FeedKind
  readonly content: Uint8Array
  /** The sender's `locations` claim; null: every location. */
  readonly allowedLocationIds: readonly string[] | null
  /** PARTNER_FEED_MAX_BYTES. */
  readonly maxBytes: number
}

/** Told the events of every committed apply (the shared cache drops what they change). */
export type OnCommitted = (events: readonly EventEnvelope[]) => Promise<void>

export const newFeedId = (): string => `feed_${randomUUID()}`

/**
 * A partner's file, received: read (a file that cannot be read throws FeedError and nothing is
 * stored), then stored with its bytes, so it is never lost. A file whose bytes the partner already
 * sent (and that was not rejected) is stored as a DUPLICATE of it and applies nothing. Then:
 * - no mapping yet for the partner and kind: one is proposed from this file; it waits (AWAITING_MAPPING);
 * - a mapping proposed, not approved: it waits with the first;
 * - an approved mapping: the partner's waiting files of the kind are applied in arrival order, this one last.
 */
export async function receiveFeed(db: Database, incoming: IncomingFeed, onCommitted: OnCommitted): Promise<PartnerFeedModel> {
  const parsed = parseFeed(incoming.content, { maxBytes: incoming.maxBytes })
  const base = { partnerId: incoming.partnerId, kind: incoming.kind, contentHash: parsed.contentHash, byteSize: incoming.content.byteLength, allowedLocationIds: incoming.allowedLocationIds }
  const standing = await standingFeedWithHash(db, incoming.partnerId, parsed.contentHash)
  if (standing) return insertFeed(db, { ...base, id: newFeedId(), content: null, status: 'DUPLICATE', duplicateOf: standing.id })
  const feed = await insertFeed(db, { ...base, id: newFeedId(), content: incoming.content, status: 'RECEIVED', duplicateOf: null })

  const approved = await db.transaction(async (tx) => {
    const mapping = await mappingOf(tx, incoming.partnerId, incoming.kind, { lock: true })
    if (mapping?.status === 'APPROVED') return true
    if (!mapping) await propose(tx, feed, parsed)
    await markAwaitingMapping(tx, feed.id)
    return false
  })
  if (approved) await applyWaitingFeeds(db, incoming.partnerId, incoming.kind, onCommitted)
  const [settled] = await feedsByIds(db, [feed.id])
  return settled ?? feed
}

/** The first file of a partner and kind: a mapping proposed from it, knowing our SKUs, locations and the partner's codes. */
async function propose(tx: Queryable, feed: PartnerFeedModel, parsed: ParsedFeed): Promise<void> {
  const ours = await ourSkusAndLocations(tx)
  const locationCodes = await approvedLocationCodes(tx, feed.partnerId)
  const proposal = proposeMapping(profileFeed(parsed), feed.kind, { skus: ours.skus, locationIds: ours.locationIds, locationCodes })
  await insertProposal(tx, { partnerId: feed.partnerId, kind: feed.kind, proposal, headers: parsed.headers, proposedFrom: feed.id })
}

/**
 * Applies the partner's waiting files of a kind with its approved mapping, oldest first, one
 * transaction each. Each transaction locks the mapping row first, so files of one partner and
 * kind are applied one at a time in arrival order, whichever request gets there first.
 */
export async function applyWaitingFeeds(db: Database, partnerId: string, kind: FeedKind, onCommitted: OnCommitted): Promise<void> {
  for (const id of await waitingFeedIds(db, partnerId, kind)) {
    let events: readonly EventEnvelope[] = []
    await db.transaction(async (tx) => {
      const mapping = await mappingOf(tx, partnerId, kind, { lock: true })
      if (mapping?.status !== 'APPROVED' || !mapping.mapping) return
      await applyWaitingFeed(tx, id, mapping.mapping)
      events = publishedIn(tx)
    })
    if (events.length > 0) await onCommitted(events)
  }
}
