import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway'
import { injectTraceHeaders } from '../platform/tracing.ts'
import { GraphQLError } from 'graphql'
import type { ErrorCode } from '../platform/errors.ts'
import { headerOf, post, ResponseTooLargeError, type PostAnswer } from '../platform/httpPost.ts'
import { ANONYMOUS, signViewer, VIEWER_HEADER, type Viewer } from '../platform/viewer.ts'
import type { GatewayContext } from './context.ts'
import { fetchRecordOf } from './responseCache.ts'
import { CircuitOpenError, createSubgraphTransport, SubgraphTimeoutError, type SubgraphTransport } from '../platform/subgraphTransport.ts'

export interface SubgraphDataSourceOptions {
  readonly name: string
  readonly url: string
  readonly signingSecret: string
  /** One attempt's budget: a subgraph that takes longer is SUBGRAPH_TIMEOUT (unless `transport` is given, which has its own). */
  readonly timeoutMs: number
  /** Breaker, retries and timeouts of this subgraph, shared by every data source that calls it; default one of its own without retries. */
  readonly transport?: SubgraphTransport
  /** The largest answer read from the subgraph (MAX_RESPONSE_BYTES); more is RESPONSE_TOO_LARGE. */
  readonly maxResponseBytes: number
  /** Share one call among identical query fetches in flight (same body and viewer); never mutations. Default on. */
  readonly deduplicate?: boolean
  /** Counts the fetches that joined one already in flight. */
  readonly onDeduplicated?: () => void
  /** Told of every call made (a shared call once): its seconds and whether the subgraph answered 2xx. */
  readonly onFetched?: (seconds: number, outcome: 'ok' | 'error') => void
}

type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>

/** A mutation's fetch is never shared: each one is a write of its own (the planner prints the operation keyword first). */
const isMutation = (query: string): boolean => /^\s*mutation\b/.test(query)

/** `promise`, or the signal's abort if it comes first (the shared call itself goes on for the others). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}

/** The subgraph answered something other than a GraphQL response in a 2xx (a 5xx, an HTML page, ...). */
class UnusableAnswerError extends Error {
  constructor(readonly status: number) {
    super(`subgraph answered HTTP ${status} without a GraphQL response`)
    this.name = 'UnusableAnswerError'
  }
}

/** The GraphQL response in a subgraph's answer: a JSON object from a 2xx, else UnusableAnswerError. */
function graphQLResponseOf(answer: PostAnswer): GatewayGraphQLResponse {
  if (answer.status < 200 || answer.status > 299) throw new UnusableAnswerError(answer.status)
  let parsed: unknown
  try {
    parsed = JSON.parse(answer.body.toString('utf8'))
  } catch {
    throw new UnusableAnswerError(answer.status)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UnusableAnswerError(answer.status)
  return parsed as GatewayGraphQLResponse
}

/**
 * How the gateway calls one subgraph, as the query plan's data source: the fetch's body built
 * once, the viewer signed into a header over those exact bytes, POSTed on a kept-alive socket
 * (platform/httpPost.ts) through the subgraph's transport (a timeout per attempt, retries of
 * queries, a circuit breaker: subgraphTransport.ts), stopped as well when the incoming request's
 * signal aborts (its deadline); the answer read up to `maxResponseBytes`. Identical query
 * fetches in flight (same subgraph, body and viewer) share one call. Failures become one error
 * that names the service and nothing else (no URL, no response body): RESPONSE_TOO_LARGE,
 * REQUEST_TIMEOUT when the request's deadline stopped the fetch, SUBGRAPH_TIMEOUT when the
 * subgraph's did, CIRCUIT_OPEN while its breaker is open, and SUBGRAPH_UNAVAILABLE for any other
 * failure (no answer, a non-2xx answer, an answer that is not a GraphQL response).
 *
 * Its own GraphQLDataSource rather than Apollo's RemoteGraphQLDataSource, which goes through
 * fetch, node-fetch's Request and Headers and a second copy of every header: for the small JSON
 * bodies of a query plan that machinery cost more CPU than the rest of the fetch.
 */
export function createSubgraphDataSource(options: SubgraphDataSourceOptions): GraphQLDataSource<GatewayContext> {
  const transport = options.transport ?? createSubgraphTransport({ name: options.name, urls: [options.url], timeoutMs: options.timeoutMs, maxRetries: 0 })
  // identical query fetches in flight (same subgraph, body and viewer) share one call
  const inFlight = new Map<string, Promise<PostAnswer>>()

  const call = async (url: string, body: string, viewer: Viewer, signal: AbortSignal): Promise<PostAnswer> => {
    const started = performance.now()
    let outcome: 'ok' | 'error' = 'error'
    try {
      const headers = injectTraceHeaders({ 'content-type': 'application/json', [VIEWER_HEADER]: signViewer(viewer, options.signingSecret, body) })
      const answer = await post(url, headers, body, { signal, maxBytes: options.maxResponseBytes })
      if (answer.status >= 200 && answer.status <= 299) outcome = 'ok'
      return answer
    } finally {
      options.onFetched?.((performance.now() - started) / 1000, outcome)
    }
  }

  const fetchAnswer = async (body: string, viewer: Viewer, query: boolean, signal: AbortSignal | undefined): Promise<PostAnswer> => {
    // the transport picks the replica (one of SUBGRAPH_<NAME>_URL's)
    const attempt = (attemptSignal: AbortSignal, replica: string) => call(replica, body, viewer, attemptSignal)
    if (!query || options.deduplicate === false) return transport.send(attempt, { retryable: query, ...(signal ? { signal } : {}) })
    const key = `${JSON.stringify(viewer)}\n${body}`
    let shared = inFlight.get(key)
    if (!shared) {
      // the shared call is bounded by the subgraph's timeouts alone: one waiter's deadline must not fail the others
      shared = transport.send(attempt, { retryable: true }).finally(() => inFlight.delete(key))
      inFlight.set(key, shared)
    } else {
      options.onDeduplicated?.()
    }
    return untilAborted(shared, signal)
  }

  return {
    async process(processOptions: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
      const { request } = processOptions
      // the gateway's own calls (health checks) come with an empty context: they act as anonymous
      const context = processOptions.context as Partial<GatewayContext>
      if (!request.query) throw new Error('a subgraph fetch without a query')
      const body = JSON.stringify({
        query: request.query,
        ...(request.operationName ? { operationName: request.operationName } : {}),
        ...(request.variables ? { variables: request.variables } : {}),
        ...(request.extensions ? { extensions: request.extensions } : {}),
      })
      let answer: PostAnswer
      let response: GatewayGraphQLResponse
      try {
        answer = await fetchAnswer(body, context.viewer ?? ANONYMOUS, !isMutation(request.query), context.signal)
        response = graphQLResponseOf(answer)
      } catch (error) {
        throw failure(error, context.signal)
      }
      // the response cache learns from each fetch whether, and under which tags, the answer may be shared
      fetchRecordOf(context as GatewayContext)?.seen({
        service: options.name,
        representations: request.variables?.['representations'],
        cacheControl: headerOf(answer, 'cache-control'),
      })
      return response
    },
  }

  /** The error the client sees for a failed fetch: its code and the service's name, nothing else. */
  function failure(error: unknown, signal: AbortSignal | undefined): GraphQLError {
    // these messages travel to the client: keep them to the service's name
    if (error instanceof ResponseTooLargeError) {
      return serviceError('RESPONSE_TOO_LARGE', `Service '${options.name}' answered more than the gateway accepts; ask for less`, options.name)
    }
    if (signal?.aborted) {
      const code = abortCode(signal.reason)
      const why = code === 'RESPONSE_TOO_LARGE' ? 'The response grew too large' : 'The request ran out of time'
      return serviceError(code, `${why} while waiting for service '${options.name}'`, options.name)
    }
    if (error instanceof CircuitOpenError) {
      return serviceError('CIRCUIT_OPEN', `Service '${options.name}' is failing; the gateway does not call it for a moment`, options.name, { retryAfter: Math.ceil(error.retryAfterMs / 1000) })
    }
    if (error instanceof SubgraphTimeoutError || (error instanceof Error && error.name === 'TimeoutError')) {
      return serviceError('SUBGRAPH_TIMEOUT', `Service '${options.name}' did not answer in time`, options.name)
    }
    return serviceError('SUBGRAPH_UNAVAILABLE', `Service '${options.name}' is unavailable`, options.name)
  }
}

/**
 * Why the request's signal aborted: the response growing past MAX_RESPONSE_BYTES says so in its
 * reason (a GraphQLError with that code); any other abort is the request's deadline.
 */
function abortCode(reason: unknown): ErrorCode {
  const code = (reason as { extensions?: { code?: unknown } } | null | undefined)?.extensions?.code
  return code === 'RESPONSE_TOO_LARGE' ? 'RESPONSE_TOO_LARGE' : 'REQUEST_TIMEOUT'
}

function serviceError(code: ErrorCode, message: string, serviceName: string, more: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...more, code, serviceName } })
}
