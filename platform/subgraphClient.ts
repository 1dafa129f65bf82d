import { post } from './httpPost.ts'
import { createSubgraphTransport, type SubgraphTransport } from './subgraphTransport.ts'
import { injectTraceHeaders } from './tracing.ts'
import type { Viewer } from './viewer.ts'
import { signViewer, VIEWER_HEADER } from './viewer.ts'

export interface SubgraphResponse<D> {
  readonly data: D | null | undefined
  readonly errors?: readonly { message: string; extensions?: Record<string, unknown> }[]
}

export interface SubgraphClientOptions {
  /** The target subgraph's name (in errors and logs). */
  readonly name: string
  /** Its replicas' URLs, resolved per call: in tests the port is known only once the target listens. */
  readonly urls: () => readonly string[]
  readonly signingSecret: string
  /** Who the calling service acts as (e.g. `service:orders` with the staff role). */
  readonly viewer: Viewer
  readonly timeoutMs: number
  /** The largest answer read (default 1 MiB); more fails the call. */
  readonly maxResponseBytes?: number
}

/**
 * A service's synchronous call to another subgraph's public GraphQL API, signed like a gateway
 * request: the viewer, signed over the very body sent. Used for the one synchronous cross-domain
 * write, the stock reservation at checkout. It goes through a transport of its own
 * (subgraphTransport.ts): a timeout, a circuit breaker, and the target's replicas, a call going to
 * another replica only when the first refused the connection (a write is never sent twice).
 * Throws on transport failure, timeout, an open breaker or a non-2xx answer; GraphQL errors come
 * back in `errors`.
 */
export function createSubgraphClient(options: SubgraphClientOptions) {
  let transport: { readonly urls: string; readonly transport: SubgraphTransport } | null = null
  const transportFor = (urls: readonly string[]): SubgraphTransport => {
    const key = urls.join(',')
    if (transport?.urls !== key) {
      transport?.transport.close()
      transport = { urls: key, transport: createSubgraphTransport({ name: options.name, urls, timeoutMs: options.timeoutMs, maxRetries: 0 }) }
    }
    return transport.transport
  }
  return {
    async request<D>(query: string, variables: Record<string, unknown>): Promise<SubgraphResponse<D>> {
      // serialized once: the signature covers these exact bytes (signed per attempt: it carries a time)
      const body = JSON.stringify({ query, variables })
      const answer = await transportFor(options.urls()).send(
        (signal, url) =>
          post(url, injectTraceHeaders({ 'content-type': 'application/json', [VIEWER_HEADER]: signViewer(options.viewer, options.signingSecret, body) }), body, {
            signal,
            maxBytes: options.maxResponseBytes ?? 1 << 20,
          }),
        { retryable: false },
      )
      if (answer.status < 200 || answer.status > 299) throw new Error(`${options.name} answered HTTP ${answer.status}`)
      return JSON.parse(answer.body.toString('utf8')) as SubgraphResponse<D>
    },
    /** Stops the replicas' health checks. */
    close(): void {
      transport?.transport.close()
    },
  }
}
