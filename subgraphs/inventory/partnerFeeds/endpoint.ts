import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Config } from '../../../platform/config.ts'
import type { Database } from '../../../platform/db.ts'
import { formattedError, type ErrorCode } from '../../../platform/errors.ts'
import { FEEDS_WRITE_SCOPE, feedSignedBody, isPartnerFeedKind, PARTNER_FEED_CONTENT_TYPE, PARTNER_FEEDS_PATH } from '../../../platform/partnerFeedRequest.ts'
import { signingSecrets } from '../../../platform/signedRequests.ts'
import { hasRole, VIEWER_HEADER, verifyViewer, type Viewer } from '../../../platform/viewer.ts'
import { FeedError } from '../feeds/errors.ts'
import type { PartnerFeedModel } from './models.ts'
import { receiveFeed, type OnCommitted } from './receiveFeed.ts'

export interface FeedEndpointOptions {
  readonly db: Database
  readonly config: Pick<Config, 'viewerSigningSecret' | 'viewerSigningSecretPrevious' | 'partnerFeedMaxBytes'>
  readonly onCommitted: OnCommitted
}

/** The most row errors and changes an answer lists (the counts say how many there are; the graph pages the rest). */
export const ANSWER_LIST_LIMIT = 1000

/** The answer to a partner that sent a file: what became of it (its rows' errors when rejected). */
export function feedAnswer(feed: PartnerFeedModel) {
  const summary = feed.summary && { ...feed.summary, changeCount: feed.summary.changes.length, changes: feed.summary.changes.slice(0, ANSWER_LIST_LIMIT) }
  return {
    id: feed.id,
    partnerId: feed.partnerId,
    kind: feed.kind,
    status: feed.status,
    contentHash: feed.contentHash,
    byteSize: feed.byteSize,
    receivedAt: feed.receivedAt.toISOString(),
    appliedAt: feed.appliedAt?.toISOString() ?? null,
    duplicateOf: feed.duplicateOf,
    rowErrorCount: feed.rowErrors.length,
    rowErrors: feed.rowErrors.slice(0, ANSWER_LIST_LIMIT),
    fileError: feed.fileError,
    summary,
  }
}

/**
 * `POST /partner/feeds/<kind>` on the inventory subgraph, for the gateway only: the viewer header
 * signed over the kind and the exact bytes (platform/partnerFeedRequest.ts), a partner holding
 * `feeds:write` (checked again here: calling the subgraph directly bypasses nothing). The file
 * goes to `receiveFeed`; a file that cannot be read is 400 BAD_USER_INPUT with `feedCode` (and
 * `line` where known), and nothing of it is stored.
 */
export async function serveFeedEndpoint(app: FastifyInstance, options: FeedEndpointOptions): Promise<void> {
  const secrets = signingSecrets(options.config)
  const bodyLimit = options.config.partnerFeedMaxBytes
  // a scope of its own: the raw-bytes parser serves this path only
  await app.register(async (scope) => {
    scope.addContentTypeParser(PARTNER_FEED_CONTENT_TYPE, { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body))
    scope.post<{ Params: { kind: string } }>(`${PARTNER_FEEDS_PATH}/:kind`, { bodyLimit }, async (request, reply) => {
      const content = Buffer.isBuffer(request.body) ? request.body : null
      const { kind } = request.params
      const header = request.headers[VIEWER_HEADER]
      const viewer = content ? verifyViewer(typeof header === 'string' ? header : undefined, { secrets, body: feedSignedBody(kind, content) }) : null
      if (!viewer || viewer.sub === null) return refuse(reply, 401, 'UNAUTHENTICATED', 'This service only accepts feeds signed by the gateway')
      if (!mayWriteFeeds(viewer)) return refuse(reply, 403, 'FORBIDDEN', `Sending feeds needs the partner role and the '${FEEDS_WRITE_SCOPE}' scope`)
      if (!isPartnerFeedKind(kind)) return refuse(reply, 400, 'BAD_USER_INPUT', 'The kind of feed is stock-snapshot or shipment-confirmation')
      try {
        const feed = await receiveFeed(
          options.db,
          { partnerId: viewer.sub, kind, content: content!, allowedLocationIds: viewer.locationIds, maxBytes: bodyLimit },
          options.onCommitted,
        )
        request.log.info({ feed: feed.id, partner: feed.partnerId, kind, status: feed.status, bytes: feed.byteSize }, 'partner feed received')
        return reply.code(feed.status === 'AWAITING_MAPPING' ? 202 : 200).send({ feed: feedAnswer(feed) })
      } catch (error) {
        if (!(error instanceof FeedError)) throw error
        const status = error.code === 'FEED_TOO_LARGE' ? 413 : 400
        return refuse(reply, status, 'BAD_USER_INPUT', error.message, { feedCode: error.code, ...(error.line ? { line: error.line } : {}) })
      }
    })
  })
}

export const mayWriteFeeds = (viewer: Viewer): boolean => hasRole(viewer, 'partner') && viewer.scopes.includes(FEEDS_WRITE_SCOPE)

function refuse(reply: FastifyReply, status: number, code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): FastifyReply {
  return reply.code(status).send({ errors: [formattedError(code, message, extensions)] })
}
