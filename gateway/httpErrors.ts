import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'

/**
 * Requests Fastify refuses before GraphQL sees them (a body over the limit, malformed JSON, an
 * unsupported content type) are answered as GraphQL errors with a code, like every other
 * refusal, instead of in Fastify's own error format.
 */
export function graphqlErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500
  if (status >= 500) {
    request.log.error({ err: error }, 'unexpected error before GraphQL execution')
    return send(reply, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error')
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(reply, 413, 'PAYLOAD_TOO_LARGE', 'The request body is too large')
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return send(reply, 415, 'BAD_REQUEST', 'Send GraphQL requests as application/json (or GET with query parameters)')
  }
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return send(reply, 400, 'BAD_REQUEST', 'The request body is not valid JSON')
  }
  // other client errors: Fastify's message names the problem, never an internal
  return send(reply, status, 'BAD_REQUEST', error.message)
}

function send(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ errors: [{ message, extensions: { code } }] })
}
