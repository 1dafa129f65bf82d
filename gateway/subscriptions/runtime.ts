import type { GraphQLDataSource } from '@apollo/gateway'
import { getNamedType, GraphQLObjectType, GraphQLString, parse, validate, type DocumentNode, type GraphQLError, type GraphQLSchema } from 'graphql'
import type { GatewayContext } from '../context.ts'
import { loadSupergraph, type PlannedSubscription } from './apolloAdapter.ts'

/**
 * What the gateway knows of one supergraph for subscriptions: the API schema clients validate
 * against, the query planner, and a data source per subgraph for the per-event entity fetches.
 * Rebuilt when the supergraph changes; running subscriptions keep the runtime they started on.
 */
export interface SupergraphRuntime {
  readonly apiSchema: GraphQLSchema
  /** Routing URL per subgraph name. */
  readonly urls: ReadonlyMap<string, string>
  readonly dataSources: ReadonlyMap<string, GraphQLDataSource<GatewayContext>>
  /** Subscription fields the gateway can resume after an upstream failure (`after` + `cursor`). */
  readonly resumableFields: ReadonlySet<string>
  /**
   * A document parsed and validated against the API schema, once per distinct text: many
   * subscribers send the same few documents. `stage` says which step refused it.
   */
  prepare(query: string): { readonly document: DocumentNode } | { readonly stage: 'parse' | 'validate'; readonly errors: readonly GraphQLError[] }
  /**
   * The plan of a prepared document (`query` is its text, the cache key); null when the
   * operation is not a subscription. Throws when it cannot be planned.
   */
  plan(document: DocumentNode, operationName: string | null | undefined, query: string): PlannedSubscription | null
}

const CACHE_SIZE = 500

/** A map that forgets its oldest entry past CACHE_SIZE. */
function boundedCache<V>(): { get(key: string): V | undefined; set(key: string, value: V): V } {
  const entries = new Map<string, V>()
  return {
    get: (key) => entries.get(key),
    set(key, value) {
      if (entries.size >= CACHE_SIZE) entries.delete(entries.keys().next().value as string)
      entries.set(key, value)
      return value
    },
  }
}

export function buildSupergraphRuntime(
  supergraphSdl: string,
  routingUrl: (name: string, url: string) => string,
  dataSourceFor: (name: string, url: string) => GraphQLDataSource<GatewayContext>,
  /** MAX_TOKENS: the parser stops there (a huge document costs no more than the limit to refuse). */
  maxTokens?: number,
): SupergraphRuntime {
  const supergraph = loadSupergraph(supergraphSdl)
  const { apiSchema } = supergraph
  const urls = new Map(supergraph.subgraphs.map((s) => [s.name, routingUrl(s.name, s.url)]))
  const dataSources = new Map([...urls].map(([name, url]) => [name, dataSourceFor(name, url)]))

  const resumableFields = new Set<string>()
  for (const field of Object.values(apiSchema.getSubscriptionType()?.getFields() ?? {})) {
    const after = field.args.find((arg) => arg.name === 'after')
    const type = getNamedType(field.type)
    if (after && getNamedType(after.type) === GraphQLString && type instanceof GraphQLObjectType && type.getFields()['cursor']) {
      resumableFields.add(field.name)
    }
  }

  const documents = boundedCache<ReturnType<SupergraphRuntime['prepare']>>()
  const plans = boundedCache<PlannedSubscription | null>()
  return {
    apiSchema,
    urls,
    dataSources,
    resumableFields,
    prepare(query) {
      const cached = documents.get(query)
      if (cached) return cached
      let document: DocumentNode
      try {
        document = parse(query, maxTokens === undefined ? {} : { maxTokens })
      } catch (error) {
        return documents.set(query, { stage: 'parse', errors: [error as GraphQLError] })
      }
      const errors = validate(apiSchema, document)
      return documents.set(query, errors.length > 0 ? { stage: 'validate', errors } : { document })
    },
    plan(document, operationName, query) {
      const key = `${operationName ?? ''}\u0000${query}`
      const cached = plans.get(key)
      if (cached !== undefined) return cached
      return plans.set(key, supergraph.planSubscription(document, operationName))
    },
  }
}
