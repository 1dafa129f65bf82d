import { getOperationAST, parse, type GraphQLSchema } from 'graphql'
import type { OperationLimits } from '../../platform/config.ts'
import { checkLimits, type LimitViolation } from '../../platform/limits/checkLimits.ts'
import type { TrustedOperation } from '../../contracts/manifest.ts'
import type { OperationGuard } from './operationGuard.ts'

export interface PersistedOperationOverLimit {
  readonly client: string
  readonly name: string
  readonly violation: LimitViolation
}

/**
 * The manifest operations over a limit, measured once, when the manifests or the schema load, for
 * their worst case (a slicing variable without a default is the largest page) against the largest
 * budget: such an operation is refused whoever sends it, so a deploy that ships one is logged at
 * once rather than discovered by its clients. `npm run schema:check` fails on the same ones.
 */
export function persistedOperationsOverLimits(
  schema: GraphQLSchema,
  operations: Iterable<TrustedOperation>,
  guard: OperationGuard,
  limits: OperationLimits,
): PersistedOperationOverLimit[] {
  const over: PersistedOperationOverLimit[] = []
  const largestBudget = Math.max(...Object.values(limits.maxCost))
  for (const operation of operations) {
    let document
    try {
      document = parse(operation.body, { maxTokens: limits.maxTokens })
    } catch {
      over.push({ client: operation.client, name: operation.name, violation: { code: 'MAX_TOKENS_EXCEEDED', limit: limits.maxTokens, actual: limits.maxTokens + 1, message: `more than ${limits.maxTokens} tokens` } })
      continue
    }
    const definition = getOperationAST(document)
    if (!definition) continue
    const violation = checkLimits(guard.measureStatic(schema, document, definition), limits, largestBudget)
    if (violation) over.push({ client: operation.client, name: operation.name, violation })
  }
  return over
}
