import { parse, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql'
import type { Config, CostRole } from '../../platform/config.ts'
import { checkLimits, limitError } from '../../platform/limits/checkLimits.ts'
import { readCostDirectives, type CostDirectives } from '../../platform/limits/costDirectives.ts'
import { measureOperation, type OperationMeasures } from '../../platform/limits/measureOperation.ts'
import { hasRole, type Viewer } from '../../platform/viewer.ts'
import { readAuthorizationPolicy, type AuthorizationPolicy } from '../authorization/authorizationPolicy.ts'
import { authorizeOperation, type Authorization } from '../authorization/authorizeOperation.ts'

/** What an admitted operation measured: its cost is what the rate limiter charges. */
export interface Admission {
  readonly measures: OperationMeasures
  readonly role: CostRole
}

export interface OperationGuard {
  /** Re-reads `@cost`, `@listSize` and subgraph ownership from a new supergraph. */
  update(supergraphSdl: string): void
  /**
   * Measures an operation against the limits and the viewer's cost budget; throws the limit's
   * GraphQLError (with `limit` and `actual`) when one is broken. Runs after parsing and
   * validation and before planning, so a refused operation reaches no subgraph.
   */
  admit(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>>, viewer: Viewer): Admission
  /** The worst case of an operation no variables are known for (persisted operations, checked when they load). */
  measureStatic(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): OperationMeasures
  /** `@authenticated` / `@requiresScopes` for this viewer: allowed, filtered (nullable fields denied) or refused. */
  authorize(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, viewer: Viewer): Authorization
}

/** The budget an operation is measured against: the viewer's highest role. */
export function costRoleOf(viewer: Viewer): CostRole {
  if (hasRole(viewer, 'staff')) return 'staff'
  if (hasRole(viewer, 'partner')) return 'partner'
  // a signed-in subject with no role browses like a customer
  if (hasRole(viewer, 'customer') || viewer.sub !== null) return 'customer'
  return 'anonymous'
}

export function createOperationGuard(config: Pick<Config, 'limits' | 'maxPageSize'>): OperationGuard {
  const { limits } = config
  let costs: CostDirectives = readCostDirectives(parse('scalar Unused'))
  let policy: AuthorizationPolicy = readAuthorizationPolicy(parse('scalar Unused'))
  const measure = (schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>> | null) =>
    measureOperation(document, operation, {
      schema,
      costs,
      variables,
      defaultListSize: limits.defaultListSize,
      maxListSize: config.maxPageSize,
      entityHopCost: limits.entityHopCost,
    })
  return {
    update(supergraphSdl) {
      const sdl = parse(supergraphSdl)
      costs = readCostDirectives(sdl)
      policy = readAuthorizationPolicy(sdl)
    },
    admit(schema, document, operation, variables, viewer) {
      const role = costRoleOf(viewer)
      const measures = measure(schema, document, operation, variables)
      const violation = checkLimits(measures, limits, limits.maxCost[role])
      if (violation) throw limitError(violation)
      return { measures, role }
    },
    measureStatic: (schema, document, operation) => measure(schema, document, operation, null),
    authorize: (schema, document, operation, viewer) => authorizeOperation(schema, document, operation, viewer, policy),
  }
}
