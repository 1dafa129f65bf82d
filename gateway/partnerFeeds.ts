import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import { GraphQLError } from 'graphql'
import type { Config } from '../platform/config.ts'
import { formattedError, type ErrorCode } from '../platform/errors.ts'
import { graphqlErrorHandler } from '../platform/httpErrors.ts'
import { FEEDS_WRITE_SCOPE, feedSignedBody, isPartnerFeedKind, PARTNER_FEED_CONTENT_TYPE, PARTNER_FEED_KINDS, PARTNER_FEEDS_PATH } from '../platform/partnerFeedRequest.ts'
import { injectTraceHeaders } from '../platform/tracing.ts'
import { hasRole, signViewer, VIEWER_HEADER, type Viewer } from '../platform/viewer.ts'
import { viewerFromAuthorization } from './auth.ts'
import { clientKeyOf, type RateLimiter } from './rateLimit/rateLimiter.ts'

/** What a partner may send a feed as: the file's own type, or plain bytes. */
export const FEED_MEDIA_TYPES = ['text/csv', 'application/json', 'text/tab-separated-values', 'text/plain', 'application/octet-stream'] as const

declare module 'fastify' {
  interface FastifyRequest {
    /** On the feed route: the partner its token names, checked before the body is read. */
    feedSender?: Viewer
  }
}

export interface PartnerFeedRouteOptions {
  readonly config: Pick<Config, 'partnerFeedMaxBytes' | 'viewerSigningSecret' | 'subgraphTimeoutMs' | 'requestTimeoutMs' | 'jwtSecret' | 'jwtIssuer' | 'jwtAudience' | 'jwksUrl' | 'maxTokenLifetimeSeconds' | 'clockSkewSeconds'>
  /** The inventory subgraph's replicas (the supergraph's routing URL, or SUBGRAPH_INVENTORY_URL), tried in order. */
  readonly inventoryUrls: () => readonly string[]
  /** The viewers' budgets (absent when RATE_LIMIT_ENABLED is off): a file spends the partner's as its requests do. */
  readonly rateLimiter?: RateLimiter | null
}

/**
 * What a file costs a partner's budget, charged before it is read: a unit per KiB it declares
 * (Content-Length), the whole limit's worth when it declares none; a 10 MiB file is 10,240 units
 * of a partner's 50,000 (RATE_LIMIT_PARTNER × RATE_LIMIT_BURST_SECONDS).
 */
export function feedCost(contentLength: string | undefined, bodyLimit: number): number {
  const declared = contentLength === undefined ? NaN : Number(contentLength)
  const bytes = Number.isSafeInteger(declared) && declared >= 0 ? Math.min(declared, bodyLimit) : bodyLimit
  return Math.ceil(bytes / 1024)
}

/**
 * `POST /partner/feeds/<kind>`: a partner sends a stock snapshot or a shipment confirmation as it
 * writes them (CSV, TSV or JSON, raw bytes, up to PARTNER_FEED_MAX_BYTES: this route's body limit
 * only; `/graphql` keeps its own). The token is checked before a byte of the body is read: a
 * partner with the `feeds:write` scope (its subject is the partner id, its `locations` claim
 * bounds the rows). The bytes go on to the inventory subgraph, signed with the viewer over the
 * kind and the bytes; its answer (the feed's id, status and row errors) comes back as it is.
 * A feed is not a GraphQL operation: a file of 10 MiB is one request body, not a string argument
 * through the parser, the token limit and the cost analysis.
 */
export async function servePartnerFeeds(app: FastifyInstance, options: PartnerFeedRouteOptions): Promise<void> {
  const { config } = options
  const bodyLimit = config.partnerFeedMaxBytes
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser([...FEED_MEDIA_TYPES], { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body))
    scope.setErrorHandler((error: FastifyError, request, reply) => {
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return refuse(reply, 413, 'PAYLOAD_TOO_LARGE', `The file is larger than ${bodyLimit} bytes (PARTNER_FEED_MAX_BYTES)`, { feedCode: 'FEED_TOO_LARGE' })
      }
      if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return refuse(reply, 415, 'BAD_REQUEST', `Send the file as one of ${FEED_MEDIA_TYPES.join(', ')}`)
      return graphqlErrorHandler(error, request, reply)
    })
    scope.addHook('onRequest', async (request, reply) => {
      let viewer: Viewer
      try {
        viewer = await viewerFromAuthorization(request.headers.authorization, config)
      } catch (error) {
        return refuse(reply, 401, 'UNAUTHENTICATED', error instanceof GraphQLError ? error.message : 'Token is not valid')
      }
      if (viewer.sub === null) return refuse(reply, 401, 'UNAUTHENTICATED', 'Send the partner token as Authorization: Bearer <JWT>')
      if (!hasRole(viewer, 'partner') || !viewer.scopes.includes(FEEDS_WRITE_SCOPE)) {
        return refuse(reply, 403, 'FORBIDDEN', `Sending feeds needs the partner role and the '${FEEDS_WRITE_SCOPE}' scope`)
      }
      const kind = (request.params as { kind?: string }).kind ?? ''
      if (!isPartnerFeedKind(kind)) return refuse(reply, 400, 'BAD_USER_INPUT', `Unknown kind of feed; send one of ${PARTNER_FEED_KINDS.join(', ')}`, { argumentName: 'kind' })
      try {
        const headers = await options.rateLimiter?.charge(clientKeyOf(viewer, request.ip), 'partner', feedCost(request.headers['content-length'], bodyLimit))
        if (headers) void reply.headers(headers)
      } catch (error) {
        const http = error instanceof GraphQLError ? (error.extensions['http'] as { headers?: Map<string, string> } | undefined) : undefined
        for (const [name, value] of http?.headers ?? []) void reply.header(name, value)
        const retryAfter = error instanceof GraphQLError ? error.extensions['retryAfter'] : undefined
        return refuse(reply, 429, 'RATE_LIMITED', error instanceof GraphQLError ? error.message : 'Rate limit exceeded', retryAfter === undefined ? {} : { retryAfter })
      }
      request.feedSender = viewer
      return undefined
    })
    scope.post<{ Params: { kind: string } }>(`${PARTNER_FEEDS_PATH}/:kind`, { bodyLimit }, async (request, reply) => {
      const viewer = request.feedSender as Viewer
      const content = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
      const answer = await forward(options, request.params.kind, content, viewer)
      if (answer.kind === 'answered') return reply.code(answer.status).type('application/json; charset=utf-8').send(answer.body)
      request.log.warn({ subgraph: 'inventory', reason: answer.reason }, 'partner feed not handed over')
      return answer.reason === 'timeout'
        ? refuse(reply, 504, 'SUBGRAPH_TIMEOUT', 'The inventory service did not answer in time; send the file again (the same file is never applied twice)', { serviceName: 'inventory' })
        : refuse(reply, 502, 'SUBGRAPH_UNAVAILABLE', 'The inventory service did not answer; send the file again (the same file is never applied twice)', { serviceName: 'inventory' })
    })
  })
}

type Forwarded = { kind: 'answered'; status: number; body: string } | { kind: 'failed'; reason: 'timeout' | 'unreachable' | 'server error' }

/**
 * To the first replica that answers. A replica that could not be reached is left for the next;
 * one that answered (even 5xx) is not asked again by another: the file may have been stored, and
 * a second try would only find it a DUPLICATE of itself.
 */
async function forward(options: PartnerFeedRouteOptions, kind: string, content: Buffer, viewer: Viewer): Promise<Forwarded> {
  const timeoutMs = Math.max(options.config.subgraphTimeoutMs, options.config.requestTimeoutMs)
  const signed = signViewer(viewer, options.config.viewerSigningSecret, feedSignedBody(kind, content))
  let last: Forwarded = { kind: 'failed', reason: 'unreachable' }
  for (const url of options.inventoryUrls()) {
    let response: Response
    try {
      response = await fetch(new URL(`${PARTNER_FEEDS_PATH}/${kind}`, url), {
        method: 'POST',
        headers: injectTraceHeaders({ 'content-type': PARTNER_FEED_CONTENT_TYPE, [VIEWER_HEADER]: signed }),
        // a copy typed over a plain ArrayBuffer, as fetch's body takes it
        body: new Uint8Array(content),
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') return { kind: 'failed', reason: 'timeout' }
      last = { kind: 'failed', reason: 'unreachable' }
      continue
    }
    // the subgraph's own answers (2xx, 4xx) carry codes meant for the partner; a 5xx carries nothing to pass on
    if (response.status >= 500) return { kind: 'failed', reason: 'server error' }
    return { kind: 'answered', status: response.status, body: await response.text() }
  }
  return last
}

function refuse(reply: FastifyReply, status: number, code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ errors: [formattedError(code, message, extensions)] })
}
