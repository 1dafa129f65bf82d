import { badUserInput, forbidden } from '../../../platform/errors.ts'
import { connectionKind } from '../../../platform/pagination.ts'
import { isStaff } from '../../../platform/viewer.ts'
import { canSeePartnerFeeds, requireFeedReader } from '../access.ts'
import { FEED_FIELDS } from '../feeds/fields.ts'
import type {
  PartnerFeedMappingApprovePayloadResolvers,
  PartnerFeedMappingResolvers,
  PartnerFeedResolvers,
  PartnerFeedSummaryResolvers,
  QueryResolvers,
} from '../generated/resolvers.ts'
import { FEED_KIND_ENUM, feedKindOf, type PartnerFeedModel } from '../partnerFeeds/models.ts'
import { feedsByIds, listFeeds, mappingOf } from '../store/partnerFeedStore.ts'
import type { Context } from '../subgraph.ts'

const FEEDS = connectionKind('PartnerFeedConnection', ['integer'])
/** The most row errors or changes one field answers. */
export const MAX_LISTED = 1000
const DEFAULT_LISTED = 100

function listedCount(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_LISTED
  if (!Number.isInteger(first) || first < 1 || first > MAX_LISTED) throw badUserInput(`first must be between 1 and ${MAX_LISTED}, got ${first}`, 'first')
  return first
}

/**
 * A partner's feeds are its own, so an answer holding them is marked `private, no-store`: the
 * gateway's response cache shares answers between viewers of one visibility (roles, scopes,
 * locations), not one subject, and must not hand one partner's files to another.
 */
function keepPrivate(ctx: Context): void {
  ;(ctx as { reply?: { header(name: string, value: string): unknown } }).reply?.header('cache-control', 'private, no-store')
}

async function visibleFeed(ctx: Context, id: string | null): Promise<PartnerFeedModel | null> {
  if (id === null) return null
  const [feed] = await feedsByIds(ctx.db, [id])
  return feed && canSeePartnerFeeds(ctx.viewer, feed.partnerId) ? feed : null
}

export const partnerFeedQueries: Pick<QueryResolvers, 'partnerFeeds' | 'partnerFeed' | 'partnerFeedMapping'> = {
  partnerFeeds: async (_parent, { filter, first, after }, ctx) => {
    requireFeedReader(ctx.viewer)
    keepPrivate(ctx)
    const asked = filter?.partnerId ?? null
    if (asked !== null && !canSeePartnerFeeds(ctx.viewer, asked)) throw forbidden('A partner reads only its own feeds')
    const request = FEEDS.page({ first, after }, { maxPageSize: ctx.config.maxPageSize })
    const rows = await listFeeds(
      ctx.db,
      {
        // a partner's list is its own whatever the filter says
        partnerId: isStaff(ctx.viewer) ? asked : ctx.viewer.sub,
        kind: filter?.kind ? feedKindOf(filter.kind) : null,
        statuses: filter?.statuses?.length ? filter.statuses : null,
      },
      { beforeArrival: request.after?.[0] ?? null, limit: request.limit + 1 },
    )
    return FEEDS.connection(rows, request, (feed) => [feed.arrival])
  },

  partnerFeed: (_parent, { id }, ctx) => {
    requireFeedReader(ctx.viewer)
    keepPrivate(ctx)
    return visibleFeed(ctx, id)
  },

  partnerFeedMapping: async (_parent, { partnerId, kind }, ctx) => {
    requireFeedReader(ctx.viewer)
    keepPrivate(ctx)
    if (!canSeePartnerFeeds(ctx.viewer, partnerId)) return null
    return mappingOf(ctx.db, partnerId, feedKindOf(kind))
  },
}

export const PartnerFeed: PartnerFeedResolvers = {
  kind: (feed) => FEED_KIND_ENUM[feed.kind],
  duplicateOf: (feed, _args, ctx) => visibleFeed(ctx, feed.duplicateOf),
  rowErrorCount: (feed) => feed.rowErrors.length,
  rowErrors: (feed, { first }) => feed.rowErrors.slice(0, listedCount(first)),
  adjustmentGroup: (feed, _args, ctx) => (feed.adjustmentGroupId ? ctx.loaders.adjustmentGroup.load(feed.adjustmentGroupId) : null),
}

export const PartnerFeedSummary: PartnerFeedSummaryResolvers = {
  changeCount: (summary) => summary.changes.length,
  changes: (summary, { first }) => summary.changes.slice(0, listedCount(first)),
}

export const PartnerFeedMapping: PartnerFeedMappingResolvers = {
  kind: (m) => FEED_KIND_ENUM[m.kind],
  mapping: (m) => JSON.stringify(m.mapping ?? m.proposal.mapping),
  confidence: (m) => m.proposal.confidence,
  ready: (m) => m.status === 'APPROVED' || m.proposal.ready,
  unmappedRequired: (m) => [...m.proposal.unmappedRequired],
  review: (m) => [...m.proposal.review],
  fields: (m) => {
    const current = (m.mapping ?? m.proposal.mapping).fields
    return FEED_FIELDS[m.kind].map((spec) => {
      const entry = current[spec.field]
      return {
        field: spec.field,
        required: spec.required,
        column: entry?.column ?? null,
        transform: entry ? JSON.stringify(entry.transform) : null,
        confidence: entry?.confidence ?? 0,
        candidates: [...(m.proposal.candidates[spec.field] ?? [])],
      }
    })
  },
  headers: (m) => [...m.headers],
  proposedFrom: (m, _args, ctx) => visibleFeed(ctx, m.proposedFrom),
}

export const PartnerFeedMappingApprovePayload: PartnerFeedMappingApprovePayloadResolvers = {
  mapping: (payload, _args, ctx) => (payload.partnerId && payload.kind ? mappingOf(ctx.db, payload.partnerId, payload.kind) : null),
  appliedFeeds: async (payload, _args, ctx) => {
    const feeds = await feedsByIds(ctx.db, payload.feedIds)
    const byId = new Map(feeds.map((f) => [f.id, f]))
    return payload.feedIds.map((id) => byId.get(id)).filter((f): f is PartnerFeedModel => f !== undefined)
  },
}
