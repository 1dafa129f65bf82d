import type { FastifyReply, FastifyRequest } from 'fastify'
import { sendRefusal } from './httpResponse.ts'

/** Bodies a page on another site can POST without a CORS preflight (https://fetch.spec.whatwg.org/#cors-safelisted-request-header). */
const SIMPLE_CONTENT_TYPES: ReadonlySet<string> = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'])

/**
 * CSRF prevention for `/graphql`, in place of Apollo's (which also refuses every GET without an
 * `apollo-require-preflight` header, so urql's and graphql-http's default GETs failed):
 *
 * - a POST must be `application/json`, which a browser sends cross-site only after a preflight
 *   our (absent) CORS policy refuses; a simple POST (text/plain, a form) is refused here, before
 *   anything runs, header or not. Form and multipart bodies have no parser and never get here (415).
 * - a GET needs no header: it runs only queries (Apollo refuses a mutation over GET with 405, the
 *   trusted-documents step a persisted one), queries have no side effects, and credentials travel
 *   only in the Authorization header, which no cross-site simple request can carry (the gateway
 *   reads no cookie), so a forged GET runs as the anonymous viewer and its answer stays unreadable.
 */
export async function refuseSimplePosts(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (request.method !== 'POST') return
  const essence = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase()
  if (essence === undefined || !SIMPLE_CONTENT_TYPES.has(essence)) return
  return sendRefusal(request, reply, {
    status: 400,
    code: 'BAD_REQUEST',
    message: `This operation has been blocked as a potential Cross-Site Request Forgery (CSRF): POST bodies must be application/json, not ${essence}`,
  })
}
