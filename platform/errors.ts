import { GraphQLError } from 'graphql'

/**
 * Every GraphQL error code the services raise, with what it means. Expected business outcomes
 * are not errors: they are `userErrors` on mutation payloads. A test keeps the README's error
 * table in step with this registry.
 */
export const ERROR_CODES = {
  UNAUTHENTICATED: 'the request carries no valid credentials (missing, malformed or expired token, or an unsigned subgraph call)',
  FORBIDDEN: 'the viewer is known but lacks the role or scope the operation needs',
  BAD_USER_INPUT: 'an argument is invalid: malformed cursor, page size over the maximum, unknown currency, ...',
  GRAPHQL_PARSE_FAILED: 'the document is not valid GraphQL syntax',
  GRAPHQL_VALIDATION_FAILED: 'the document does not validate against the schema',
  BAD_REQUEST: 'the HTTP request is malformed: a malformed persisted-operation id, a mutation over GET, ...',
  PERSISTED_QUERY_NOT_FOUND: 'the operation id is not in the client manifests (the code Apollo clients understand)',
  PERSISTED_QUERY_REQUIRED: 'TRUSTED_DOCUMENTS=enforce: only operations from the manifests run, by id',
  PERSISTED_QUERY_HASH_MISMATCH: 'an operation id was sent with a body that does not hash to it',
  EVENT_CURSOR_EXPIRED: 'a subscription `after` cursor is older than the event log keeps (EVENT_LOG_RETENTION_HOURS): resync with `inventoryLevels(filter: { sinceVersion })`, then subscribe without `after`',
  SUBGRAPH_UNAVAILABLE: 'a subgraph did not answer; the rest of the data is returned and `serviceName` names it',
  INTERNAL_SERVER_ERROR: 'an unexpected failure; details are logged, never returned',
} as const

export type ErrorCode = keyof typeof ERROR_CODES

export function graphqlError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } })
}

export const unauthenticated = (message = 'Authentication required') => graphqlError('UNAUTHENTICATED', message)
export const forbidden = (message = 'Not allowed') => graphqlError('FORBIDDEN', message)
export const badUserInput = (message: string, argumentName?: string) =>
  graphqlError('BAD_USER_INPUT', message, argumentName ? { argumentName } : {})
