import { RemoteGraphQLDataSource } from '@apollo/gateway'
import { injectTraceHeaders } from '../platform/tracing.ts'
import { GraphQLError } from 'graphql'
import type { ErrorCode } from '../platform/errors.ts'
import { readCappedResponse, ResponseTooLargeError } from '../platform/readCappedResponse.ts'
import { ANONYMOUS, signViewer, VIEWER_HEADER, type Viewer } from '../platform/viewer.ts'
import type { GatewayContext } from './context.ts'
import { fetchRecordOf } from './responseCache.ts'
import { CircuitOpenError, createSubgraphTransport, SubgraphTimeoutError, type SubgraphTransport } from '../platform/subgraphTransport.ts'

type Fetcher = NonNullable<NonNullable<ConstructorParameters<typeof RemoteGraphQLDataSource>[0]>['fetcher']>

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

interface FetchInit {
  readonly method: string
  readonly headers: Record<string, string>
  readonly body: string
}

/** A subgraph answer read into memory, so several waiters can each get a Response of their own. */
interface BufferedResponse {
  readonly status: number
  readonly statusText: string
  readonly headers: [string, string][]
  readonly body: ArrayBuffer | null
}

async function buffered(response: Response): Promise<BufferedResponse> {
  const body = response.body === null ? null : await response.arrayBuffer()
  return { status: response.status, statusText: response.statusText, headers: [...response.headers.entries()], body }
}

const toResponse = (answer: BufferedResponse): Response =>
  new Response(answer.body === null ? null : answer.body.slice(0), { status: answer.status, statusText: answer.statusText, headers: answer.headers })

/** A mutation's fetch is never shared: each one is a write of its own (the planner prints the operation keyword first). */
const isMutation = (query: string | undefined): boolean => query === undefined || /^\s*mutation\b/.test(query)

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

/**
 * Carries what only `willSendRequest` knows (the request's viewer and abort signal) to the
 * fetcher, the only place the serialized body is known: RemoteGraphQLDataSource serializes the
 * body after `willSendRequest` and hands the fetcher plain headers, with no context. The fetcher
 * removes this header, so it never leaves the process.
 */
const TICKET_HEADER = 'x-commerce-fetch-ticket'

interface PendingFetch {
  readonly viewer: Viewer
  readonly signal: AbortSignal | undefined
  /** May share a call with identical fetches in flight: a query, with deduplication on. */
  readonly shareable: boolean
  /** A query: may be retried. */
  readonly retryable: boolean
}

/**
 * How the gateway calls one subgraph: undici's fetch (keep-alive pooling) through the subgraph's
 * transport (a timeout per attempt, retries of queries, a circuit breaker: subgraphTransport.ts),
 * stopped as well when the incoming request's signal aborts (its deadline); the viewer signed
 * into a header over the exact body sent; the answer read up to `maxResponseBytes`. Failures
 * become one error that names the service and nothing else (no URL, no response body):
 * RESPONSE_TOO_LARGE, REQUEST_TIMEOUT when the request's deadline stopped the fetch,
 * SUBGRAPH_TIMEOUT when the subgraph's did, CIRCUIT_OPEN while its breaker is open, and
 * SUBGRAPH_UNAVAILABLE for any other failure.
 */
export function createSubgraphDataSource(options: SubgraphDataSourceOptions): RemoteGraphQLDataSource<GatewayContext> {
  const pending = new Map<string, PendingFetch>()
  let tickets = 0
  const transport = options.transport ?? createSubgraphTransport({ name: options.name, urls: [options.url], timeoutMs: options.timeoutMs, maxRetries: 0 })

  // identical query fetches in flight (same subgraph, body and viewer) share one call
  const inFlight = new Map<string, Promise<BufferedResponse>>()

  const call = async (url: string, init: FetchInit, viewer: Viewer, signal: AbortSignal): Promise<Response> => {
    const started = performance.now()
    let outcome: 'ok' | 'error' = 'error'
    try {
      const response = await fetch(url, {
        method: init.method,
        headers: injectTraceHeaders({ ...init.headers, [VIEWER_HEADER]: signViewer(viewer, options.signingSecret, init.body) }),
        body: init.body,
        signal,
      })
      const read = await readCappedResponse(response, options.maxResponseBytes)
      if (response.ok) outcome = 'ok'
      return read
    } finally {
      options.onFetched?.((performance.now() - started) / 1000, outcome)
    }
  }

  const fetcher = (async (url: string, init: FetchInit) => {
    const { [TICKET_HEADER]: ticket, ...headers } = init.headers
    const fetch_ = ticket === undefined ? undefined : pending.get(ticket)
    if (ticket !== undefined) pending.delete(ticket)
    // fail closed: a fetch that did not pass through willSendRequest has no viewer to sign
    if (!fetch_) throw new Error('subgraph fetch without a signed viewer')
    const request = { ...init, headers }
    // the transport picks the replica (one of SUBGRAPH_<NAME>_URL's); `url` names the subgraph for sharing
    const attempt = (signal: AbortSignal, replica: string) => call(replica, request, fetch_.viewer, signal)
    if (!fetch_.shareable) {
      return transport.send(attempt, { retryable: fetch_.retryable, ...(fetch_.signal ? { signal: fetch_.signal } : {}) })
    }
    const key = `${url}\n${JSON.stringify(fetch_.viewer)}\n${init.body}`
    let shared = inFlight.get(key)
    if (!shared) {
      // the shared call is bounded by the subgraph's timeouts alone: one waiter's deadline must not fail the others
      shared = transport.send(attempt, { retryable: fetch_.retryable }).then(buffered).finally(() => inFlight.delete(key))
      inFlight.set(key, shared)
    } else {
      options.onDeduplicated?.()
    }
    return toResponse(await untilAborted(shared, fetch_.signal))
  }) as unknown as Fetcher

  return new RemoteGraphQLDataSource<GatewayContext>({
    url: options.url,
    fetcher,
    willSendRequest({ request, context }) {
      if (!request.http) return
      const ticket = String(++tickets)
      // the gateway's own calls (health checks) come with an empty context: they act as anonymous
      const query = !isMutation(request.query)
      pending.set(ticket, { viewer: context.viewer ?? ANONYMOUS, signal: context.signal, shareable: query && options.deduplicate !== false, retryable: query })
      request.http.headers.set(TICKET_HEADER, ticket)
    },
    didReceiveResponse({ response, request, context }) {
      // the response cache learns from each fetch whether, and under which tags, the answer may be shared
      fetchRecordOf(context)?.seen({
        service: options.name,
        representations: request.variables?.['representations'],
        cacheControl: response.http?.headers.get('cache-control') ?? null,
      })
      return response
    },
    didEncounterError(error, _fetchRequest, _fetchResponse, context) {
      // these messages travel to the client: keep them to the service's name
      if (error instanceof ResponseTooLargeError) {
        throw serviceError('RESPONSE_TOO_LARGE', `Service '${options.name}' answered more than the gateway accepts; ask for less`, options.name)
      }
      const signal = context?.signal
      if (signal?.aborted) {
        const code = abortCode(signal.reason)
        const why = code === 'RESPONSE_TOO_LARGE' ? 'The response grew too large' : 'The request ran out of time'
        throw serviceError(code, `${why} while waiting for service '${options.name}'`, options.name)
      }
      if (error instanceof CircuitOpenError) {
        throw serviceError('CIRCUIT_OPEN', `Service '${options.name}' is failing; the gateway does not call it for a moment`, options.name, { retryAfter: Math.ceil(error.retryAfterMs / 1000) })
      }
      if (error instanceof SubgraphTimeoutError || error.name === 'TimeoutError') {
        throw serviceError('SUBGRAPH_TIMEOUT', `Service '${options.name}' did not answer in time`, options.name)
      }
      throw serviceError('SUBGRAPH_UNAVAILABLE', `Service '${options.name}' is unavailable`, options.name)
    },
  })
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
