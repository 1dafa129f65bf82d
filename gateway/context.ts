import type { Viewer } from '../platform/viewer.ts'

/** What every gateway request carries into query planning and subgraph fetches. */
export interface GatewayContext {
  readonly viewer: Viewer
  /**
   * Aborted when the request's deadline passes (REQUEST_TIMEOUT_MS) or its response has grown
   * past MAX_RESPONSE_BYTES: subgraph fetches still in flight stop at once.
   */
  readonly signal?: AbortSignal
  /** The client's address (from `X-Forwarded-For` only behind TRUSTED_PROXIES): an anonymous viewer's rate limit key. */
  readonly clientIp?: string
  /** Names the operation, once resolved, in the request's log lines and its span. */
  readonly nameOperation?: (name: string | null, type: string | null) => void
}
