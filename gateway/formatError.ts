import type { GraphQLFormattedError } from 'graphql'
import { ERROR_CODES } from '../platform/errors.ts'

/**
 * Codes a client may see: the registry's (platform/errors.ts, the README's table) and two of
 * Apollo Server's own; anything else — INTERNAL_SERVER_ERROR included — is an internal failure and
 * is answered generically.
 */
const CLIENT_CODES: ReadonlySet<string> = new Set([
  ...Object.keys(ERROR_CODES).filter((code) => code !== 'INTERNAL_SERVER_ERROR'),
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_SUPPORTED',
])
/** Extensions that may leave the gateway; `response` (subgraph URL and body) and stacks never do. */
const CLIENT_EXTENSIONS = ['code', 'serviceName', 'argumentName', 'retentionHours', 'limit', 'actual', 'retryAfter'] as const

const URL_PATTERN = /\b(?:https?|wss?|postgres(?:ql)?):\/\/[^\s"')]+/gi

/**
 * The last step of every error on its way to a client: keep the subgraph's code and add which
 * service raised it; strip URLs, response bodies and stack traces; turn anything unexpected into
 * a generic INTERNAL_SERVER_ERROR (the original is logged by the caller).
 */
export function formatGatewayError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const extensions = formatted.extensions ?? {}
  const code = typeof extensions['code'] === 'string' ? extensions['code'] : 'INTERNAL_SERVER_ERROR'
  const kept: Record<string, unknown> = {}
  for (const key of CLIENT_EXTENSIONS) if (extensions[key] !== undefined) kept[key] = extensions[key]
  const known = CLIENT_CODES.has(code)
  return {
    message: known ? formatted.message.replace(URL_PATTERN, '[redacted]') : 'Internal server error',
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { ...kept, code: known ? code : 'INTERNAL_SERVER_ERROR' },
  }
}
