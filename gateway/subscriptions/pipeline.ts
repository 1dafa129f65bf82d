import { executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway'
import type { FetchNode, QueryPlan, SubscriptionNode } from '@apollo/query-planner'
import type { FastifyBaseLogger } from 'fastify'
import type { ExecutionResult } from 'graphql'
import type { GatewayContext } from '../context.ts'
import { eventDataSources, type FetchCounts } from './eventFetches.ts'
import type { Subscriber, Upstream } from './hub.ts'
import type { PlannedSubscription, SupergraphRuntime } from './runtime.ts'

/** The service name under which each upstream event stands in for the primary fetch. */
const EVENT_SERVICE = '__subscription_event__'

/** Subscribers with the same client operation and shaping variables: one execution per event serves them all. */
export interface Pipeline {
  readonly key: string
  readonly plan: QueryPlan
  readonly planned: PlannedSubscription
  readonly request: { query: string; variables: Record<string, unknown>; operationName: string | undefined }
  readonly subscribers: Set<Subscriber>
  upstream: Upstream
}

/** The plan run for every event: the primary fetch, answered by the event itself, then the rest. */
export function perEventPlan(node: SubscriptionNode): QueryPlan {
  const primary = { ...node.primary, serviceName: EVENT_SERVICE, operationKind: 'query' } as FetchNode
  return { kind: 'QueryPlan', node: node.rest ? { kind: 'Sequence', nodes: [primary, node.rest] } : primary }
}

/** The services one event's executions fetch from: the event itself, and the subgraphs through one memo. */
export function eventServiceMap(
  event: ExecutionResult,
  sources: ReadonlyMap<string, GraphQLDataSource<GatewayContext>>,
  counts: FetchCounts,
): ServiceMap {
  return {
    ...eventDataSources(sources, counts),
    [EVENT_SERVICE]: { process: async () => ({ data: event.data ?? null, ...(event.errors ? { errors: event.errors as never } : {}) }) },
  }
}

/** Runs the rest of a pipeline's plan for one event with the gateway's own executor. */
export async function executePipeline(
  pipeline: Pipeline,
  serviceMap: ServiceMap,
  runtime: SupergraphRuntime,
  context: GatewayContext,
  logger: FastifyBaseLogger,
): Promise<ExecutionResult> {
  // the parts of Apollo's request context the executor reads; no cache policy applies to events
  const requestContext = {
    request: pipeline.request,
    context,
    logger,
    metrics: {},
    overallCachePolicy: { replace() {}, restrict() {}, policyIfCacheable: () => null },
  }
  const executed = await executeQueryPlan(
    pipeline.plan, serviceMap, requestContext as never, pipeline.planned.operationContext, runtime.supergraphSchema, runtime.apiSchemaInternal,
  )
  return { data: executed.data ?? null, ...(executed.errors?.length ? { errors: executed.errors } : {}) }
}
