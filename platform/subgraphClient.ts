import type { Viewer } from './viewer.ts'
import { signViewer, VIEWER_HEADER } from './viewer.ts'

export interface SubgraphResponse<D> {
  readonly data: D | null | undefined
  readonly errors?: readonly { message: string; extensions?: Record<string, unknown> }[]
}

export interface SubgraphClientOptions {
  /** Resolved per call: in tests the port is known only once the target listens. */
  readonly url: () => string
  readonly signingSecret: string
  /** Who the calling service acts as (e.g. `service:orders` with the staff role). */
  readonly viewer: Viewer
  readonly timeoutMs: number
}

/**
 * A service's synchronous call to another subgraph's public GraphQL API, signed like a gateway
 * request: the viewer, signed over the very body sent. Used for the one synchronous cross-domain
 * write, the stock reservation at checkout. Throws on transport failure or timeout; GraphQL
 * errors come back in `errors`.
 */
export function createSubgraphClient(options: SubgraphClientOptions) {
  return {
    async request<D>(query: string, variables: Record<string, unknown>): Promise<SubgraphResponse<D>> {
      // serialized once: the signature covers these exact bytes
      const body = JSON.stringify({ query, variables })
      const response = await fetch(options.url(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', [VIEWER_HEADER]: signViewer(options.viewer, options.signingSecret, body) },
        body,
        signal: AbortSignal.timeout(options.timeoutMs),
      })
      if (!response.ok) throw new Error(`subgraph answered HTTP ${response.status}`)
      return (await response.json()) as SubgraphResponse<D>
    },
  }
}
