import { operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals'
import { buildOperationContext, type GraphQLDataSource } from '@apollo/gateway'
import { QueryPlanner, type QueryPlan } from '@apollo/query-planner'
import { getNamedType, GraphQLObjectType, GraphQLString, print, type DocumentNode, type GraphQLSchema } from 'graphql'
import type { GatewayContext } from '../context.ts'

type OperationContext = ReturnType<typeof buildOperationContext>

/** A subscription's plan: what to send upstream, and what to run per event. */
export interface PlannedSubscription {
  readonly plan: QueryPlan
  readonly operationContext: OperationContext
}

/**
 * What the gateway knows of one supergraph for subscriptions: the API schema clients validate
 * against, the query planner, and a data source per subgraph for the per-event entity fetches.
 * Rebuilt when the supergraph changes; running subscriptions keep the runtime they started on.
 */
export interface SupergraphRuntime {
  readonly apiSchema: GraphQLSchema
  readonly supergraphSchema: GraphQLSchema
  readonly apiSchemaInternal: Schema
  /** Routing URL per subgraph name. */
  readonly urls: ReadonlyMap<string, string>
  readonly dataSources: ReadonlyMap<string, GraphQLDataSource<GatewayContext>>
  /** Subscription fields the gateway can resume after an upstream failure (`after` + `cursor`). */
  readonly resumableFields: ReadonlySet<string>
  plan(document: DocumentNode, operationName: string | null | undefined): PlannedSubscription
}

const PLAN_CACHE_SIZE = 500

export function buildSupergraphRuntime(
  supergraphSdl: string,
  routingUrl: (name: string, url: string) => string,
  dataSourceFor: (name: string, url: string) => GraphQLDataSource<GatewayContext>,
): SupergraphRuntime {
  const supergraph = Supergraph.build(supergraphSdl)
  const apiSchemaInternal = supergraph.apiSchema()
  const apiSchema = apiSchemaInternal.toGraphQLJSSchema()
  const supergraphSchema = supergraph.schema.toGraphQLJSSchema()
  const planner = new QueryPlanner(supergraph)
  const urls = new Map(supergraph.subgraphsMetadata().map((s) => [s.name, routingUrl(s.name, s.url)]))
  const dataSources = new Map([...urls].map(([name, url]) => [name, dataSourceFor(name, url)]))

  const resumableFields = new Set<string>()
  for (const field of Object.values(apiSchema.getSubscriptionType()?.getFields() ?? {})) {
    const after = field.args.find((arg) => arg.name === 'after')
    const type = getNamedType(field.type)
    if (after && getNamedType(after.type) === GraphQLString && type instanceof GraphQLObjectType && type.getFields()['cursor']) {
      resumableFields.add(field.name)
    }
  }

  // many subscribers send the same few documents: plan each once
  const plans = new Map<string, PlannedSubscription>()
  return {
    apiSchema,
    supergraphSchema,
    apiSchemaInternal,
    urls,
    dataSources,
    resumableFields,
    plan(document, operationName) {
      const key = `${operationName ?? ''}\u0000${print(document)}`
      const cached = plans.get(key)
      if (cached) return cached
      const named = operationName ? { operationName } : {}
      const operation = operationFromDocument(apiSchemaInternal, document, named)
      const planned = {
        plan: planner.buildQueryPlan(operation),
        operationContext: buildOperationContext({ schema: apiSchema, operationDocument: document, ...named }),
      }
      if (plans.size >= PLAN_CACHE_SIZE) plans.delete(plans.keys().next().value as string)
      plans.set(key, planned)
      return planned
    },
  }
}
