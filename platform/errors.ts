import { GraphQLError, type GraphQLFormattedError } from 'graphql'

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
  MAX_DEPTH_EXCEEDED: 'the operation nests fields deeper than MAX_DEPTH (counted through fragments); `extensions.limit` and `extensions.actual` say by how much',
  MAX_ALIASES_EXCEEDED: 'the operation uses more aliases than MAX_ALIASES',
  MAX_ROOT_FIELDS_EXCEEDED: 'the operation selects more root fields than MAX_ROOT_FIELDS',
  MAX_TOKENS_EXCEEDED: 'the document has more lexical tokens than MAX_TOKENS; parsing stopped there',
  MAX_DIRECTIVES_EXCEEDED: 'the operation uses more directives than MAX_DIRECTIVES',
  COST_LIMIT_EXCEEDED: 'the operation\'s estimated cost is over the budget of the viewer\'s role (MAX_COST_<ROLE>); no subgraph was called',
  RATE_LIMITED: 'the viewer\'s budget of cost units is spent; retry after `Retry-After` seconds (`extensions.retryAfter`)',
  RESPONSE_TOO_LARGE: 'the response would exceed MAX_RESPONSE_BYTES; ask for less (smaller pages, fewer fields)',
  REQUEST_TIMEOUT: 'the request did not finish within its deadline (REQUEST_TIMEOUT_MS at the gateway, SUBGRAPH_TIMEOUT_MS in a subgraph)',
  PAYLOAD_TOO_LARGE: 'the request body is larger than the gateway accepts',
  SERVICE_UNAVAILABLE: 'a service lost its database for a moment (a connection cut, a failover, a restart): retry, a mutation with the same idempotency key (it may have committed; the key replays it)',
  SUBGRAPH_UNAVAILABLE: 'a subgraph did not answer (refused, cut, or a 5xx after the retries a query may have); the rest of the data is returned and `serviceName` names it',
  SUBGRAPH_TIMEOUT: 'a subgraph did not answer within SUBGRAPH_TIMEOUT_MS; the rest of the data is returned and `serviceName` names it',
  CIRCUIT_OPEN: 'a subgraph has been failing, so the gateway does not call it for a moment (`extensions.retryAfter` seconds); the rest of the data is returned and `serviceName` names it',
  INTERNAL_SERVER_ERROR: 'an unexpected failure; details are logged, never returned',
} as const

export type ErrorCode = keyof typeof ERROR_CODES

export function graphqlError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}, originalError?: Error): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code }, ...(originalError ? { originalError } : {}) })
}

/** An error as it goes on the wire (`GraphQLFormattedError`), with a registered code. */
export function formattedError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLFormattedError {
  return { message, extensions: { ...extensions, code } }
}

export const unauthenticated = (message = 'Authentication required') => graphqlError('UNAUTHENTICATED', message)
export const forbidden = (message = 'Not allowed') => graphqlError('FORBIDDEN', message)
export const badUserInput = (message: string, argumentName?: string) =>
  graphqlError('BAD_USER_INPUT', message, argumentName ? { argumentName } : {})
