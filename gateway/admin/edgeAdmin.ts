import type { FastifyInstance } from 'fastify'
import { buildSchema, graphql, GraphQLError, type GraphQLFormattedError } from 'graphql'
import { COST_ROLES, type Config, type CostRole } from '../../platform/config.ts'
import { isStaff, type Viewer } from '../../platform/viewer.ts'
import type { AnomalyDetector, ClientState } from '../anomaly/anomalyDetector.ts'
import type { RateLimiter } from '../rateLimit/rateLimiter.ts'
import { formattedError, type ErrorCode } from '../../platform/errors.ts'

/**
 * The edge as staff see it, as GraphQL of its own at `/admin/graphql` (the supergraph belongs to
 * the subgraphs; this state belongs to one gateway replica): the limits and budgets in force,
 * refusals by code, the anomaly detector's thresholds and cohort baselines, the clients it
 * throttles and why, and any client's bucket.
 */
const schema = buildSchema(`
  "The edge of this gateway replica."
  type Query {
    "Operation limits and cost budgets in force."
    limits: Limits!
    "Rate limit budgets per role, in cost units."
    rateLimits: [RoleRateLimit!]!
    "Refusals at the edge since this replica started, per code."
    refusals: [RefusalCount!]!
    "The anomaly detector's thresholds and, per cohort, the baselines it has formed (null when it is off)."
    anomaly: AnomalyState
    "One client (sub:<subject> or ip:<address>): its bucket and what the detector sees."
    client(key: String!, role: Role!): ClientBudget!
  }
  enum Role { anonymous customer partner staff }
  type Limits {
    maxDepth: Int!
    maxAliases: Int!
    maxRootFields: Int!
    maxTokens: Int!
    maxDirectives: Int!
    defaultListSize: Int!
    entityHopCost: Int!
    maxCost: [RoleCost!]!
  }
  type RoleCost { role: Role! maxCost: Int! }
  type RoleRateLimit { role: Role! perSecond: Float! capacity: Float! minCost: Int! enabled: Boolean! }
  type RefusalCount { code: String! count: Int! }
  type Measure { name: String! value: Float! }
  type CohortBaseline { cohort: Role! baseline: [Measure!]! }
  type AnomalyState {
    "Threshold, throttle factor, recovery, and per feature the level a client with no baseline trips at."
    thresholds: [Measure!]!
    cohorts: [CohortBaseline!]!
    "Clients tracked now."
    clients: Int!
    throttled: [ClientAnomaly!]!
  }
  type ClientAnomaly {
    key: String!
    cohort: String!
    throttled: Boolean!
    "The share of its budget the client keeps."
    factor: Float!
    "When it was throttled (RFC 3339), null while not throttled."
    since: String
    reasons: [String!]!
    features: [Measure!]!
    baseline: [Measure!]!
  }
  type ClientBudget { key: String! tokens: Float! capacity: Float! refillPerSecond: Float! anomaly: ClientAnomaly }
`)

export interface EdgeAdminOptions {
  readonly config: Pick<Config, 'limits' | 'rateLimit'>
  readonly refusals: Readonly<Record<string, number>>
  readonly anomalies: AnomalyDetector | null
  readonly rateLimiter: RateLimiter | null
  readonly viewerOf: (authorization: string | undefined) => Promise<Viewer | null>
}

const measures = (record: Readonly<Record<string, number>>) => Object.entries(record).map(([name, value]) => ({ name, value }))
const anomalyOf = (state: ClientState) => ({
  ...state,
  key: state.clientKey,
  since: state.since === null ? null : new Date(state.since).toISOString(),
  features: measures(state.features),
  baseline: measures(state.baseline),
})

export function serveEdgeAdmin(app: FastifyInstance, options: EdgeAdminOptions): void {
  const { config, anomalies, rateLimiter } = options
  const rootValue = {
    limits: () => ({ ...config.limits, maxCost: COST_ROLES.map((role) => ({ role, maxCost: config.limits.maxCost[role] })) }),
    rateLimits: () =>
      COST_ROLES.map((role) => ({
        role,
        perSecond: config.rateLimit.perSecond[role],
        capacity: config.rateLimit.perSecond[role] * config.rateLimit.burstSeconds,
        minCost: config.rateLimit.minCost,
        enabled: config.rateLimit.enabled,
      })),
    refusals: () => Object.entries(options.refusals).map(([code, count]) => ({ code, count })),
    anomaly: () => {
      if (!anomalies) return null
      const snapshot = anomalies.snapshot()
      return {
        thresholds: measures(snapshot.thresholds),
        cohorts: Object.entries(snapshot.cohorts).map(([cohort, baseline]) => ({ cohort, baseline: measures(baseline) })),
        clients: snapshot.clients,
        throttled: snapshot.throttled.map(anomalyOf),
      }
    },
    client: async ({ key, role }: { key: string; role: CostRole }) => {
      const bucket = rateLimiter ? await rateLimiter.peek(key, role) : { tokens: 0, capacity: 0, refillPerSecond: 0 }
      const state = anomalies?.state(key) ?? null
      return { key, ...bucket, anomaly: state ? anomalyOf(state) : null }
    },
  }

  app.post('/admin/graphql', async (request, reply) => {
    const viewer = await options.viewerOf(request.headers.authorization)
    if (!viewer || !isStaff(viewer)) {
      const known = viewer !== null && viewer.sub !== null
      return reply.code(known ? 403 : 401).send({ errors: [refusal(known ? 'FORBIDDEN' : 'UNAUTHENTICATED')] })
    }
    const body = (request.body ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown }
    if (typeof body.query !== 'string') return reply.code(400).send({ errors: [formattedError('BAD_REQUEST', 'Send { query }')] })
    const result = await graphql({
      schema,
      source: body.query,
      rootValue,
      variableValues: (body.variables ?? null) as Record<string, unknown> | null,
      operationName: typeof body.operationName === 'string' ? body.operationName : null,
    })
    return { ...result, ...(result.errors ? { errors: result.errors.map(formatted) } : {}) }
  })
}

function refusal(code: Extract<ErrorCode, 'FORBIDDEN' | 'UNAUTHENTICATED'>): GraphQLFormattedError {
  return formattedError(code, 'The edge state is for staff')
}

function formatted(error: GraphQLError): GraphQLFormattedError {
  // only staff get here; still no stack or internals, like every other answer
  const internal = error.originalError !== undefined && !(error.originalError instanceof GraphQLError)
  return {
    message: internal ? 'Internal server error' : error.message,
    ...(error.locations ? { locations: error.locations } : {}),
    ...(error.path ? { path: error.path } : {}),
    extensions: { code: (internal ? 'INTERNAL_SERVER_ERROR' : error.path ? 'BAD_USER_INPUT' : 'GRAPHQL_VALIDATION_FAILED') satisfies ErrorCode },
  }
}
