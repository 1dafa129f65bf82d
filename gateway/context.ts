import type { Viewer } from '../platform/viewer.ts'

/** What every gateway request carries into query planning and subgraph fetches. */
export interface GatewayContext {
  readonly viewer: Viewer
}
