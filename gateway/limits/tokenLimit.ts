import type { GraphQLFormattedError } from 'graphql'
import { MAX_INTROSPECTION_DEPTH, tokenLimitOf } from '../../platform/limits/checkLimits.ts'

/**
 * Two limits graphql-js enforces itself, in its own words: the parser stops at MAX_TOKENS with a
 * syntax error, and validation refuses introspection nested too deep. Clients get the limit's
 * own code and the limit, like every other limit.
 */
export function withLimitCode(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (formatted.extensions?.['code'] === 'GRAPHQL_VALIDATION_FAILED' && formatted.message === 'Maximum introspection depth exceeded') {
    return { ...formatted, message: 'The introspection query nests too deep', extensions: { ...formatted.extensions, code: 'MAX_DEPTH_EXCEEDED', limit: MAX_INTROSPECTION_DEPTH } }
  }
  if (formatted.extensions?.['code'] !== 'GRAPHQL_PARSE_FAILED') return formatted
  const limit = tokenLimitOf(formatted.message)
  if (limit === null) return formatted
  return {
    message: `The document has more than ${limit} tokens; parsing stopped there`,
    extensions: { ...formatted.extensions, code: 'MAX_TOKENS_EXCEEDED', limit },
  }
}
