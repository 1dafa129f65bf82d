import type { DocumentNode, ExecutionResult } from 'graphql'
import type { Viewer } from '../../platform/viewer.ts'
import type { PlannedSubscription } from './apolloAdapter.ts'
import type { Audience } from './fanout.ts'
import type { SupergraphRuntime } from './runtime.ts'
import type { UpstreamStream } from './upstream.ts'

/**
 * The types the subscription modules share. Each mutable thing has one owner: upstream.ts owns
 * an upstream's cursor, retries and pause; fanout.ts owns who listens where and their queues;
 * sharing.ts owns which upstreams are open; metrics.ts owns the numbers. What passes between
 * them here is read-only.
 */

export interface SubscribeRequest {
  /** The document's text (the key of plans and executions) and the document parsed from it. */
  readonly query: string
  readonly document: DocumentNode
  readonly operationName: string | null | undefined
  readonly variables: Readonly<Record<string, unknown>>
  readonly viewer: Viewer
  /** Called once when this subscriber's buffer passes the limit; the caller disconnects it. */
  readonly onSlowConsumer: () => void
}

/** What one per-event execution runs: the client's operation, without the `after` that shaped only the upstream. */
export interface EventRequest {
  readonly query: string
  readonly variables: Readonly<Record<string, unknown>>
  readonly operationName: string | undefined
}

/** Subscribers with the same client operation and shaping variables: one execution per event serves them all. */
export interface Pipeline {
  readonly key: string
  readonly planned: PlannedSubscription
  readonly request: EventRequest
}

/** Where a subscriber is served: the upstream it shares, and the class of upstreams it may merge with. */
export interface UpstreamKeys {
  /** The upstream operation without its name, its variables (minus the starting cursor) and the visibility. */
  readonly classKey: string
  /** The class key for a live subscriber; a fresh key of the class for one resuming from a cursor. */
  readonly upstreamKey: string
}

/** One open upstream with everyone it serves. */
export interface SharedUpstream {
  readonly keys: UpstreamKeys
  /** The supergraph it started on: its entity fetches go there, and it merges only within it. */
  readonly runtime: SupergraphRuntime
  /** Upstreams to one subgraph URL with one visibility share a connection (the transport's `connected` covers them all). */
  readonly connectionKey: string
  readonly stream: UpstreamStream
  readonly audience: Audience
}

/** One subscription sent to a subgraph. */
export interface UpstreamRequest {
  /** The subgraph's name (its replicas are chosen by it). */
  readonly serviceName: string
  /** The subgraph's routing URL (http or https; the transport picks its WebSocket form). */
  readonly url: string
  readonly query: string
  readonly operationName: string | undefined
  readonly variables: Readonly<Record<string, unknown>>
  /** The visibility forwarded to the subgraph (see visibility.ts): equal viewers may share a connection. */
  readonly viewer: Viewer
}

/** Where a transport reports one upstream subscription's life. */
export interface UpstreamSink {
  next(result: ExecutionResult): void
  /** The stream broke (socket closed, subgraph error message): the hub retries from its cursor. */
  error(error: unknown): void
  /** The subgraph ended the stream (restart, redeploy): the hub retries from its cursor too. */
  complete(): void
  /** The connection carrying this subscription is open: whatever failed before has recovered. */
  connected(): void
}

/**
 * How the hub reaches subgraphs: one method, so tests drive the hub with a fake and the gateway
 * with graphql-ws (upstreamClients.ts). A transport calls the sink only after `subscribe` has
 * returned, never after the returned function (unsubscribe) has been called, and after `error`
 * or `complete` nothing more.
 */
export interface UpstreamTransport {
  subscribe(request: UpstreamRequest, sink: UpstreamSink): () => void
}

/** Time as the hub sees it: the system's in production, driven by hand in tests. */
export interface Clock {
  now(): number
  /** Runs `callback` after `ms`; the returned function cancels it. */
  setTimeout(callback: () => void, ms: number): () => void
  /** A number in [0, 1): spreads the retries of upstreams that failed together. */
  random(): number
}

/** What each per-event execution is handed, for its answers to be pushed to the pipeline's subscribers. */
export type ExecuteEvent = (pipeline: Pipeline) => Promise<ExecutionResult>
