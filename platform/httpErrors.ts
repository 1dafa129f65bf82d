import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { ErrorCode } from './errors.ts'
import { APPLICATION_JSON, negotiate } from './mediaType.ts'

/** A request refused before GraphQL sees it: its HTTP status, code and a message safe to return. */
export interface HttpRefusal {
  readonly status: number
  readonly code: ErrorCode
  readonly message: string
}

/**
 * What Fastify refuses before GraphQL runs (a body over the limit, malformed JSON, an unsupported
 * content type), as a GraphQL refusal with a code; null for anything else (a server error, or an
 * error of GraphQL's own).
 */
export function httpRefusalOf(error: unknown): HttpRefusal | null {
  const { statusCode, code, message } = (error ?? {}) as Partial<FastifyError>
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return null
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large' }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { status: 415, code: 'BAD_REQUEST', message: 'Send GraphQL requests as application/json (or GET with query parameters)' }
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
    return { status: 400, code: 'BAD_REQUEST', message: 'The request body is not valid JSON' }
  }
  // other client errors: Fastify's message names the problem, never an internal
  if (typeof code === 'string' && code.startsWith('FST_')) return { status: statusCode, code: 'BAD_REQUEST', message: message ?? 'Bad request' }
  return null
}

/**
 * The gateway's error handler: requests Fastify refuses are answered as GraphQL errors with a
 * code, like every other refusal, instead of in Fastify's own error format.
 */
export function graphqlErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const refusal = httpRefusalOf(error)
  if (refusal) return sendRefusal(reply, refusal)
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return sendRefusal(reply, { status: error.statusCode, code: 'BAD_REQUEST', message: error.message })
  }
  request.log.error({ err: error }, 'unexpected error before GraphQL execution')
  return reply.code(500).type('application/json; charset=utf-8').send({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] })
}

/** A refusal in the media type the request accepts (application/json when it accepts neither). */
export function sendRefusal(reply: FastifyReply, refusal: HttpRefusal, headers: Record<string, string> = {}): FastifyReply {
  return reply
    .code(refusal.status)
    .headers(headers)
    .type(`${negotiate(reply.request.headers.accept) ?? APPLICATION_JSON}; charset=utf-8`)
    .send({ errors: [{ message: refusal.message, extensions: { code: refusal.code } }] })
}

/**
 * Methods a GraphQL path does not take (PUT, DELETE, ...) get 405 with `Allow` and a code, not
 * Fastify's bare 404; other unknown paths keep the 404.
 */
export function methodNotAllowed(path: string, allow: readonly string[]) {
  return (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (new URL(request.url, 'http://localhost').pathname !== path) {
      return reply.code(404).type('application/json; charset=utf-8').send({ errors: [{ message: 'Not found', extensions: { code: 'BAD_REQUEST' } }] })
    }
    return sendRefusal(reply, { status: 405, code: 'BAD_REQUEST', message: `${path} takes ${allow.join(', ')}` }, { allow: allow.join(', ') })
  }
}
