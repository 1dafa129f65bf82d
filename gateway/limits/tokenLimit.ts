import type { GraphQLFormattedError } from 'graphql'
import { formattedError } from '../../platform/errors.ts'
import { MAX_INTROSPECTION_DEPTH, tokenLimitOf } from '../../platform/limits/checkLimits.ts'

/**
 * Two limits graphql-js enforces itself, in its own words: the parser stops at MAX_TOKENS with a
 * syntax error, and validation refuses introspection nested too deep. Clients get the limit's
 * own code and the limit, like every other limit.
 */
export function withLimitCode(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (formatted.extensions?.['code'] === 'GRAPHQL_VALIDATION_FAILED' && formatted.message === 'Maximum introspection depth exceeded') {
    return { ...formatted, ...formattedError('MAX_DEPTH_EXCEEDED', 'The introspection query nests too deep', { ...formatted.extensions, limit: MAX_INTROSPECTION_DEPTH }) }
  }
  if (formatted.extensions?.['code'] !== 'GRAPHQL_PARSE_FAILED') return formatted
  const limit = tokenLimitOf(formatted.message)
  if (limit === null) return formatted
  return formattedError('MAX_TOKENS_EXCEEDED', `The document has more than ${limit} tokens; parsing stopped there`, { ...formatted.extensions, limit })
}
