import type { ApolloServerPlugin, BaseContext } from '@apollo/server'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { APPLICATION_JSON, GRAPHQL_RESPONSE_JSON, negotiate, type ResponseMediaType } from '../platform/mediaType.ts'
import { sendRefusal as sendHttpRefusal, type HttpRefusal } from '../platform/httpErrors.ts'

/**
 * GraphQL over HTTP at `/graphql`: which media type an answer uses and which status it carries,
 * decided here for every GraphQL response the gateway sends — Apollo's (the plugin below) and the
 * refusals answered before Apollo (trusted documents, CSRF). The rules are the spec's, by media type
 * (https://graphql.github.io/graphql-over-http/draft/#sec-Status-Codes, as audited by graphql-http):
 *
 * - `application/graphql-response+json` (what Apollo Client 4 and urql ask for first): a response
 *   with `data` is 200; one without (a request error or a refusal) is 4xx, and clients read the
 *   body whatever the status.
 * - `application/json` (legacy clients, a wildcard Accept, or none): a well-formed request is
 *   answered 200 even when it fails parsing, validation, variable coercion or one of our own
 *   checks, because such clients treat any other status as a transport failure and never read the body.
 *
 * Under both, refusals about HTTP itself keep their status (401 bad credentials, 405 mutation over
 * GET, 406, 413, 415, 429 with Retry-After), and so do server failures (5xx); a malformed request
 * (`BAD_REQUEST`: not a well-formed GraphQL-over-HTTP request) is 400.
 */

export { APPLICATION_JSON, GRAPHQL_RESPONSE_JSON, negotiate, type ResponseMediaType }

/** What the status depends on besides the media type. */
export interface Outcome {
  /** The response has a `data` entry (even null): execution began, so it is a success or a partial one. */
  readonly hasData: boolean
  /** The first error's `extensions.code`. */
  readonly code: string | undefined
  /** The status the error asked for (Apollo's `extensions.http`, a refusal's own), if any. */
  readonly status: number | undefined
}

/** Refusals about HTTP itself, which clients and intermediaries act on whatever the body says. */
const HTTP_LEVEL: ReadonlySet<number> = new Set([401, 403, 405, 406, 413, 415, 429])
/** Request errors whose code has a status of its own under application/graphql-response+json; the others are 400. */
const CODE_STATUS: Readonly<Record<string, number>> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, RATE_LIMITED: 429 }

export function statusFor(mediaType: ResponseMediaType, outcome: Outcome): number {
  if (outcome.hasData) return 200
  const asked = outcome.status
  if (asked !== undefined && (asked >= 500 || HTTP_LEVEL.has(asked))) return asked
  if (outcome.code === 'BAD_REQUEST') return 400
  if (mediaType === APPLICATION_JSON) return 200
  return (outcome.code === undefined ? undefined : CODE_STATUS[outcome.code]) ?? 400
}

const contentType = (mediaType: ResponseMediaType) => `${mediaType}; charset=utf-8`

/**
 * Apollo's answers: the media type and status set on every single-result HTTP response (Apollo
 * keeps a content type a plugin set). Operations run without HTTP (graphql-ws) and Accept headers
 * naming neither type (Apollo answers 406) are left alone.
 */
export function graphqlHttpPlugin(): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart({ request }) {
      const mediaType = request.http ? negotiate(request.http.headers.get('accept')) : null
      if (!mediaType) return
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return
          const result = response.body.singleResult
          const code = result.errors?.[0]?.extensions?.['code']
          response.http.status = statusFor(mediaType, { hasData: result.data !== undefined, code: typeof code === 'string' ? code : undefined, status: response.http.status })
          response.http.headers.set('content-type', contentType(mediaType))
        },
      }
    },
  }
}

export interface RequestRefusal extends HttpRefusal {
  readonly headers?: Readonly<Record<string, string>>
}

/**
 * A POST whose Accept names neither media type is refused before it runs (406): Apollo would
 * execute it, a mutation included, and only then refuse to answer. GETs are left to Apollo, whose
 * development landing page answers browsers asking for HTML.
 */
export async function refuseUnacceptable(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (request.method !== 'POST' || negotiate(request.headers.accept) !== null) return
  return sendRefusal(request, reply, {
    status: 406,
    code: 'BAD_REQUEST',
    message: `Accept ${GRAPHQL_RESPONSE_JSON} (or ${APPLICATION_JSON}): the only media types a GraphQL response is sent in`,
  })
}

/**
 * A refusal answered before Apollo runs: platform's refusal in the negotiated media type, with the
 * status the rules above give that type (an Accept naming neither type gets JSON).
 */
export function sendRefusal(request: FastifyRequest, reply: FastifyReply, { headers, ...refusal }: RequestRefusal): FastifyReply {
  const mediaType = negotiate(request.headers.accept) ?? APPLICATION_JSON
  return sendHttpRefusal(reply, { ...refusal, status: statusFor(mediaType, { hasData: false, code: refusal.code, status: refusal.status }) }, { ...headers })
}
