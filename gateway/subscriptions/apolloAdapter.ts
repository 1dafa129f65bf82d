/**
 * The only file of the subscription path that reaches into Apollo's internals: the supergraph
 * model, the query planner and the gateway's plan executor, none of which is a stable public API
 * for what we do with them (run a subscription's plan once per upstream event). Everything else
 * sees the small types below; apolloAdapter.test.ts plans and executes a tiny supergraph so that
 * an upgrade that changes these shapes fails there, loudly, rather than in a live stream.
 */
import { operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals'
import { buildOperationContext, executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway'
import { contextFrom, inService, traced } from '../../platform/tracing.ts'
import { QueryPlanner, type FetchNode, type QueryPlan, type SubscriptionNode } from '@apollo/query-planner'
import type { FastifyBaseLogger } from 'fastify'
import { OperationTypeNode, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql'
import type { GatewayContext } from '../context.ts'
import type { EventRequest } from './model.ts'

/** The fetch that opens a subscription: sent once to the subgraph that owns the root field. */
export interface PrimaryFetch {
  readonly serviceName: string
  readonly operation: string
  readonly operationName: string | undefined
  readonly variableUsages?: readonly string[] | undefined
}

/** The parts of Apollo's plan only this file reads (held here so a plan needs nothing else to run). */
interface ApolloPlan {
  readonly perEvent: QueryPlan
  readonly operationContext: ReturnType<typeof buildOperationContext>
  readonly supergraphSchema: GraphQLSchema
  readonly apiSchemaInternal: Schema
}

/** A client subscription as planned: what to send upstream once, and what to run per event. */
export interface PlannedSubscription {
  readonly primary: PrimaryFetch
  /** Whether anything runs after the event itself (entity fetches to other subgraphs). */
  readonly hasRest: boolean
  /** Apollo's own objects: read by executeSubscriptionEvent only. */
  readonly apollo: ApolloPlan
}

/** One supergraph as the subscription path uses it. */
export interface LoadedSupergraph {
  /** The schema clients validate against. */
  readonly apiSchema: GraphQLSchema
  /** Each subgraph's name and routing URL as the supergraph declares it. */
  readonly subgraphs: readonly { readonly name: string; readonly url: string }[]
  /**
   * Plans an operation of a document validated against `apiSchema`; null when it is not a
   * subscription. Throws when the planner cannot plan it.
   */
  planSubscription(document: DocumentNode, operationName: string | null | undefined): PlannedSubscription | null
}

/** The service name under which each upstream event stands in for the primary fetch. */
const EVENT_SERVICE = '__subscription_event__'

/** Each subgraph's name and routing URL as a supergraph declares them (readiness lists them). */
export function subgraphsOf(supergraphSdl: string): LoadedSupergraph['subgraphs'] {
  return Supergraph.build(supergraphSdl).subgraphsMetadata().map(({ name, url }) => ({ name, url }))
}

export function loadSupergraph(supergraphSdl: string): LoadedSupergraph {
  const supergraph = Supergraph.build(supergraphSdl)
  const apiSchemaInternal = supergraph.apiSchema()
  const apiSchema = apiSchemaInternal.toGraphQLJSSchema()
  const supergraphSchema = supergraph.schema.toGraphQLJSSchema()
  const planner = new QueryPlanner(supergraph)
  return {
    apiSchema,
    subgraphs: supergraph.subgraphsMetadata().map(({ name, url }) => ({ name, url })),
    planSubscription(document, operationName) {
      const named = operationName ? { operationName } : {}
      const plan = planner.buildQueryPlan(operationFromDocument(apiSchemaInternal, document, named))
      const operationContext = buildOperationContext({ schema: apiSchema, operationDocument: document, ...named })
      const node = plan.node
      if (node?.kind !== 'Subscription') return null
      const { serviceName, operation, operationName: primaryName, variableUsages } = node.primary
      return {
        primary: { serviceName, operation, operationName: primaryName, variableUsages },
        hasRest: node.rest !== undefined,
        apollo: { perEvent: perEventPlan(node), operationContext, supergraphSchema, apiSchemaInternal },
      }
    },
  }
}

/** The plan run for every event: the primary fetch, answered by the event itself, then the rest. */
function perEventPlan(node: SubscriptionNode): QueryPlan {
  const primary: FetchNode = { ...node.primary, serviceName: EVENT_SERVICE, operationKind: OperationTypeNode.QUERY }
  return { kind: 'QueryPlan', node: node.rest ? { kind: 'Sequence', nodes: [primary, node.rest] } : primary }
}

/**
 * Runs the rest of a subscription's plan for one upstream event with the gateway's own executor:
 * entity fetches go to `dataSources` (one event's memo, see eventFetches.ts), and the result has
 * the client's shape (aliases, fragments, directives; the gateway's cursor field dropped).
 */
export async function executeSubscriptionEvent(
  planned: PlannedSubscription,
  event: ExecutionResult,
  dataSources: Readonly<Record<string, GraphQLDataSource<GatewayContext>>>,
  request: EventRequest,
  context: GatewayContext,
  logger: FastifyBaseLogger,
): Promise<ExecutionResult> {
  const serviceMap: ServiceMap = {
    ...dataSources,
    [EVENT_SERVICE]: { process: async () => ({ data: event.data ?? null, ...(event.errors ? { errors: event.errors as never } : {}) }) },
  }
  // the parts of Apollo's request context the executor reads; no cache policy applies to events
  const requestContext = {
    request: { query: request.query, variables: { ...request.variables }, operationName: request.operationName },
    context,
    logger,
    metrics: {},
    overallCachePolicy: { replace() {}, restrict() {}, policyIfCacheable: () => null },
  }
  const { perEvent, operationContext, supergraphSchema, apiSchemaInternal } = planned.apollo
  // each event is a trace of its own: its entity fetches (and their subgraphs' work) nest under it
  const executed = await traced('subscription event', {
    parent: inService('gateway', contextFrom(undefined)),
    ...(request.operationName ? { attributes: { 'graphql.operation.name': request.operationName, 'graphql.operation.type': 'subscription' } } : {}),
  }, () => executeQueryPlan(perEvent, serviceMap, requestContext as never, operationContext, supergraphSchema, apiSchemaInternal))
  return { data: executed.data ?? null, ...(executed.errors?.length ? { errors: executed.errors } : {}) }
}
