import { GraphQLError } from 'graphql'
import type { OperationLimits } from '../config.ts'
import type { ErrorCode } from '../errors.ts'
import type { OperationMeasures } from './measureOperation.ts'

/** The standard introspection query nests three lists (types → fields → args); more is a bomb. */
export const MAX_INTROSPECTION_DEPTH = 3

export interface LimitViolation {
  readonly code: Extract<ErrorCode, `MAX_${string}` | 'COST_LIMIT_EXCEEDED'>
  readonly limit: number
  readonly actual: number
  readonly message: string
}

/**
 * The first limit an operation breaks, or null. Structure before cost: a client told its
 * operation is too deep can fix that, and the cost usually falls with it.
 */
export function checkLimits(
  measures: OperationMeasures,
  limits: Pick<OperationLimits, 'maxDepth' | 'maxAliases' | 'maxRootFields' | 'maxDirectives'>,
  maxCost: number,
): LimitViolation | null {
  if (measures.depth > limits.maxDepth) {
    return violation('MAX_DEPTH_EXCEEDED', limits.maxDepth, measures.depth, `The operation nests fields ${measures.depth} deep; at most ${limits.maxDepth} are allowed`)
  }
  if (measures.introspectionDepth > MAX_INTROSPECTION_DEPTH) {
    return violation(
      'MAX_DEPTH_EXCEEDED',
      MAX_INTROSPECTION_DEPTH,
      measures.introspectionDepth,
      `The introspection query nests ${measures.introspectionDepth} lists; at most ${MAX_INTROSPECTION_DEPTH} are allowed`,
    )
  }
  if (measures.aliases > limits.maxAliases) {
    return violation('MAX_ALIASES_EXCEEDED', limits.maxAliases, measures.aliases, `The operation uses ${measures.aliases} aliases; at most ${limits.maxAliases} are allowed`)
  }
  if (measures.rootFields > limits.maxRootFields) {
    return violation('MAX_ROOT_FIELDS_EXCEEDED', limits.maxRootFields, measures.rootFields, `The operation selects ${measures.rootFields} root fields; at most ${limits.maxRootFields} are allowed`)
  }
  if (measures.directives > limits.maxDirectives) {
    return violation('MAX_DIRECTIVES_EXCEEDED', limits.maxDirectives, measures.directives, `The operation uses ${measures.directives} directives; at most ${limits.maxDirectives} are allowed`)
  }
  if (measures.cost > maxCost) {
    const actual = Number.isFinite(measures.cost) ? Math.ceil(measures.cost) : Number.MAX_SAFE_INTEGER
    return violation('COST_LIMIT_EXCEEDED', maxCost, actual, `The operation's estimated cost is ${actual}; at most ${maxCost} is allowed (ask for smaller pages or fewer fields)`)
  }
  return null
}

const violation = (code: LimitViolation['code'], limit: number, actual: number, message: string): LimitViolation => ({ code, limit, actual, message })

/** The error a refused operation gets: its code, the limit and what the operation had. */
export function limitError(violation: LimitViolation): GraphQLError {
  return new GraphQLError(violation.message, {
    extensions: { code: violation.code, limit: violation.limit, actual: violation.actual, http: { status: 400 } },
  })
}

/** graphql-js's parser stops at `maxTokens` with a syntax error; this recognizes it. */
const TOKEN_LIMIT_MESSAGE = /Document contains more (?:than|that) (\d+) tokens/

export function tokenLimitOf(message: string): number | null {
  const match = TOKEN_LIMIT_MESSAGE.exec(message)
  return match ? Number(match[1]) : null
}
