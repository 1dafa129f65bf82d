import { getOperationAST, GraphQLError, Kind, type DocumentNode, type GraphQLSchema, type TypeDefinitionNode, type TypeExtensionNode } from 'graphql'
import type { Config } from '../config.ts'
import { checkLimits } from './checkLimits.ts'
import { readCostDirectives } from './costDirectives.ts'
import { measureOperation } from './measureOperation.ts'

/**
 * A subgraph's own depth and cost limits, so a call that reaches it by another route than the
 * gateway's plan (a replayed or crafted `_entities` call with a valid signature, a service-to-
 * service call) cannot exhaust it. Looser than the gateway's, by design: a plan nests a client's
 * selection one level deeper under `_entities`, and `_entities` is sized by its actual
 * representations where the gateway could only assume list sizes.
 */
export const SUBGRAPH_DEPTH_ALLOWANCE = 2
export const SUBGRAPH_COST_FACTOR = 2

export type SubgraphGuard = (document: DocumentNode, operationName: string | null | undefined, variables: Readonly<Record<string, unknown>> | null | undefined) => GraphQLError | null

export function createSubgraphGuard(schema: GraphQLSchema, config: Pick<Config, 'limits' | 'maxPageSize'>): SubgraphGuard {
  const { limits } = config
  const costs = readCostDirectives(schemaDocument(schema))
  const bounds = {
    maxDepth: limits.maxDepth + SUBGRAPH_DEPTH_ALLOWANCE,
    // what the gateway already enforces per client; not this service's concern
    maxAliases: Number.POSITIVE_INFINITY,
    maxRootFields: Number.POSITIVE_INFINITY,
    maxDirectives: Number.POSITIVE_INFINITY,
  }
  const maxCost = SUBGRAPH_COST_FACTOR * Math.max(...Object.values(limits.maxCost))
  return (document, operationName, variables) => {
    const operation = getOperationAST(document, operationName ?? undefined)
    if (!operation) return null
    const measures = measureOperation(document, operation, {
      schema,
      costs,
      variables: variables ?? {},
      defaultListSize: limits.defaultListSize,
      maxListSize: config.maxPageSize,
      entityHopCost: 0,
    })
    const violation = checkLimits(measures, bounds, maxCost)
    return violation ? new GraphQLError(violation.message, { extensions: { code: violation.code, limit: violation.limit, actual: violation.actual } }) : null
  }
}

/** The schema's own SDL nodes (buildSubgraphSchema keeps them, directives included). */
function schemaDocument(schema: GraphQLSchema): DocumentNode {
  const definitions: (TypeDefinitionNode | TypeExtensionNode)[] = []
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.astNode) definitions.push(type.astNode)
    definitions.push(...type.extensionASTNodes)
  }
  return { kind: Kind.DOCUMENT, definitions }
}
