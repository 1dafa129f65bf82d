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
  // Apollo hands the same document object for the same text and schema: what was measured or
  // authorized for it is kept with it (per operation and variables, or per kind of viewer)
  let measured = new WeakMap<DocumentNode, Map<string, OperationMeasures>>()
  let authorized = new WeakMap<DocumentNode, Map<string, Authorization>>()
  return {
    update(supergraphSdl) {
      const sdl = parse(supergraphSdl)
      costs = readCostDirectives(sdl)
      policy = readAuthorizationPolicy(sdl)
      measured = new WeakMap()
      authorized = new WeakMap()
    },
    admit(schema, document, operation, variables, viewer) {
      const role = costRoleOf(viewer)
      const key = keyOf(schema, operation, variables)
      const measures = key === null ? measure(schema, document, operation, variables) : remembered(measured, document, key, () => measure(schema, document, operation, variables))
      const violation = checkLimits(measures, limits, limits.maxCost[role])
      if (violation) throw limitError(violation)
      return { measures, role }
    },
    measureStatic: (schema, document, operation) => measure(schema, document, operation, null),
    authorize: (schema, document, operation, viewer) => {
      const key = keyOf(schema, operation, [viewer.sub !== null, [...viewer.roles].sort(), [...viewer.scopes].sort()])
      const decide = () => authorizeOperation(schema, document, operation, viewer, policy)
      return key === null ? decide() : remembered(authorized, document, key, decide)
    },
  }
}

/** Results kept per document: at most this many variants (variables, viewer kinds) each; more start it afresh. */
const REMEMBERED_PER_DOCUMENT = 256
/** Variables longer than this (as JSON) are measured each time: a key must stay small. */
const MAX_KEY_LENGTH = 2048

const schemaIds = new WeakMap<GraphQLSchema, number>()
let schemas = 0

/** What else a result depends on besides the document: its schema, operation and `more`; null when `more` does not serialize or is long (it is computed each time). */
function keyOf(schema: GraphQLSchema, operation: OperationDefinitionNode, more: unknown): string | null {
  let schemaId = schemaIds.get(schema)
  if (schemaId === undefined) schemaIds.set(schema, (schemaId = ++schemas))
  try {
    const key = `${schemaId}\n${operation.name?.value ?? ''}\n${JSON.stringify(more)}`
    return key.length <= MAX_KEY_LENGTH ? key : null
  } catch {
    return null
  }
}

function remembered<V>(store: WeakMap<DocumentNode, Map<string, V>>, document: DocumentNode, key: string, compute: () => V): V {
  let results = store.get(document)
  if (!results) store.set(document, (results = new Map()))
  const found = results.get(key)
  if (found !== undefined) return found
  const value = compute()
  if (results.size >= REMEMBERED_PER_DOCUMENT) results.clear()
  results.set(key, value)
  return value
}
