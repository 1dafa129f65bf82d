import type { FastifyReply, FastifyRequest } from 'fastify'
import { GraphQLError } from 'graphql'
import { formattedError, type ErrorCode } from '../../platform/errors.ts'
import { isStaff, type Viewer } from '../../platform/viewer.ts'
import { viewerFromAuthorization, type AuthConfig } from '../auth.ts'

/**
 * The staff viewer of a request to a staff-only endpoint (the console API), verified exactly as
 * `/graphql` verifies its bearer token; or null once the refusal is sent: 401 without a valid
 * token (anonymous included), 403 for a valid one without the staff role. The answers are JSON
 * in the gateway's error shape and never cached.
 */
export async function staffOrRefuse(request: FastifyRequest, reply: FastifyReply, config: AuthConfig): Promise<Viewer | null> {
  let viewer: Viewer
  try {
    viewer = await viewerFromAuthorization(request.headers.authorization, config)
  } catch (error) {
    // auth.ts's messages name what is wrong with the token, never its content
    refuse(reply, 401, 'UNAUTHENTICATED', error instanceof GraphQLError ? error.message : 'Token is not valid')
    return null
  }
  if (viewer.sub === null) {
    refuse(reply, 401, 'UNAUTHENTICATED', 'Sign in with a staff token: Authorization: Bearer <JWT>')
    return null
  }
  if (!isStaff(viewer)) {
    refuse(reply, 403, 'FORBIDDEN', 'This is for staff: the token has no staff role')
    return null
  }
  return viewer
}

/** A refusal in the gateway's error shape, never cached; 401 and 403 say which credentials would do. */
export function refuse(reply: FastifyReply, status: number, code: ErrorCode, message: string): FastifyReply {
  if (status === 401) reply.header('www-authenticate', 'Bearer')
  if (status === 403) reply.header('www-authenticate', 'Bearer error="insufficient_scope"')
  return reply.code(status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send({ errors: [formattedError(code, message)] })
}
