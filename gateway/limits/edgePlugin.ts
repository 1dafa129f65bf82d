import type { ApolloServerPlugin } from '@apollo/server'
import { createHash } from 'node:crypto'
import { GraphQLError, print, type DocumentNode, type FormattedExecutionResult, type GraphQLFormattedError, type OperationDefinitionNode } from 'graphql'
import type { DeniedField } from '../authorization/authorizeOperation.ts'
import { ERROR_CODES, graphqlError } from '../../platform/errors.ts'
import { isStaff } from '../../platform/viewer.ts'
import type { GatewayContext } from '../context.ts'
import type { Admission, OperationGuard } from './operationGuard.ts'

export interface EdgePluginOptions {
  readonly guard: OperationGuard
  /** Production hides the schema from everyone but staff: no introspection, no field suggestions. */
  readonly production: boolean
  /**
   * Charges an admitted operation to its viewer's budget (the rate limiter); throws RATE_LIMITED.
   * May return headers to send with the response (`RateLimit-*`).
   */
  readonly charge?: (context: GatewayContext, admission: Admission) => Promise<Readonly<Record<string, string>> | void>
  /** Told how each admitted operation ended (the anomaly detector learns from it). */
  readonly observe?: (context: GatewayContext, admission: Admission, failed: boolean) => void
  /** Counts refusals by code (`/metrics/edge`). */
  readonly refusals?: Record<string, number>
}

/** The codes the edge refuses with (the registry's limit codes, and the rate limit, size and time); counted per code. */
export const EDGE_CODES: ReadonlySet<string> = new Set(
  Object.keys(ERROR_CODES).filter((code) => /^MAX_|_EXCEEDED$/.test(code) || ['RATE_LIMITED', 'RESPONSE_TOO_LARGE', 'REQUEST_TIMEOUT'].includes(code)),
)

/**
 * The edge of every GraphQL request, HTTP or graphql-ws (queries and mutations over the socket
 * run through Apollo too): once the operation is parsed, validated and resolved — and before it
 * is planned or any subgraph is called — measure it against the limits and the viewer's cost
 * budget, refuse introspection to all but staff in production, and charge its cost to the
 * viewer's rate limit. On the way out: denied fields are nulled, production errors carry no
 * field suggestions for non-staff, and refusals are counted. (The response size cap is on the
 * serialized payload: platform/responseSizeLimit.ts.)
 */
export function edgePlugin(options: EdgePluginOptions): ApolloServerPlugin<GatewayContext> {
  const admissions = new WeakMap<object, Admission>()
  const denials = new WeakMap<object, readonly DeniedField[]>()
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(requestContext) {
          const { document, operation, request, response, contextValue, schema } = requestContext
          if (!operation) return
          const admission = options.guard.admit(schema, document, operation, request.variables ?? {}, contextValue.viewer)
          if (admission.measures.introspection && options.production && !isStaff(contextValue.viewer)) {
            // Apollo's own words and code for a server with introspection off
            throw graphqlError('GRAPHQL_VALIDATION_FAILED', 'GraphQL introspection is not allowed, but the query contained __schema or __type.', {
              http: { status: 400 },
            })
          }
          admissions.set(contextValue, admission)
          const authorization = options.guard.authorize(schema, document, operation, contextValue.viewer)
          // 200, not Apollo's default 500: a request error; httpResponse.ts makes it 401/403 for application/graphql-response+json
          if (authorization.kind === 'refused') throw deniedError(authorization.denied, 200)
          if (authorization.kind === 'filtered') {
            // plan and run the document without the denied fields: Apollo's gateway keys its plan
            // cache by the query hash, so the filtered text gets a hash of its own
            const source = print(authorization.document)
            const mutable = requestContext as { document: DocumentNode; operation: OperationDefinitionNode; source: string; queryHash: string }
            mutable.document = authorization.document
            mutable.operation = authorization.operation
            mutable.source = source
            mutable.queryHash = createHash('sha256').update(source).digest('hex')
            denials.set(contextValue, authorization.denied)
          }
          const headers = await options.charge?.(contextValue, admission)
          if (headers) for (const [name, value] of Object.entries(headers)) response.http.headers.set(name, value)
        },
        async willSendResponse({ response, contextValue }) {
          const admission = admissions.get(contextValue)
          if (response.body.kind === 'single') {
            const denied = denials.get(contextValue)
            if (denied) response.body.singleResult = withDenied(response.body.singleResult, denied)
            const result = response.body.singleResult
            if (admission && options.observe) options.observe(contextValue, admission, (result.errors?.length ?? 0) > 0)
            if (options.production && !isStaff(contextValue.viewer) && result.errors) {
              response.body.singleResult = { ...result, errors: result.errors.map((e) => ({ ...e, message: withoutSuggestions(e.message) })) }
            }
            if (options.refusals) {
              for (const error of response.body.singleResult.errors ?? []) {
                const code = error.extensions?.['code']
                if (typeof code === 'string' && EDGE_CODES.has(code)) options.refusals[code] = (options.refusals[code] ?? 0) + 1
              }
            }
          }
        },
      }
    },
  }
}

/** graphql-js appends "Did you mean …?" to unknown names: a map of the schema for whoever asks. */
export function withoutSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?$/, '')
}

/** The error for a field the viewer may not read. */
export function deniedError(denied: DeniedField, status?: number): GraphQLError {
  const message = denied.code === 'UNAUTHENTICATED' ? `Sign in to read ${denied.coordinate}` : `Not allowed to read ${denied.coordinate}`
  return new GraphQLError(message, { extensions: { code: denied.code, ...(status ? { http: { status } } : {}) } })
}

/** Puts null where each denied field would have been (in every element of the lists above it), with an error per place. */
function withDenied(result: FormattedExecutionResult, denied: readonly DeniedField[]): FormattedExecutionResult {
  const errors: GraphQLFormattedError[] = []
  const place = (value: unknown, path: readonly string[], at: (string | number)[], field: DeniedField): void => {
    if (value === null || typeof value !== 'object') return
    if (Array.isArray(value)) {
      value.forEach((item, index) => place(item, path, [...at, index], field))
      return
    }
    const [key, ...rest] = path
    if (key === undefined) return
    const object = value as Record<string, unknown>
    if (rest.length === 0) {
      object[key] = null
      if (errors.length < 50) errors.push({ message: deniedError(field).message, path: [...at, key], extensions: { code: field.code } })
      return
    }
    place(object[key], rest, [...at, key], field)
  }
  // a copy: the result may be shared by merged identical requests (gateway/mergeInFlight.ts)
  const data = structuredClone(result.data)
  for (const field of denied) place(data, field.path, [], field)
  return { ...result, ...(data === undefined ? {} : { data }), errors: [...(result.errors ?? []), ...errors] }
}
