import type { ExecutionResult } from 'graphql'
import { createClient, type Client } from 'graphql-ws'
import WebSocket from 'ws'
import { CONNECTION_INIT_BODY, signViewer, VIEWER_HEADER, type Viewer } from '../../platform/viewer.ts'
import type { UpstreamRequest, UpstreamSink, UpstreamTransport } from './model.ts'

interface Connection {
  readonly key: string
  readonly client: Client
  /** The subscriptions on it now: told when it (re)opens. */
  readonly sinks: Set<UpstreamSink>
}

/** Which replica of a subgraph a connection goes to, and that one failed (the subgraph's transport decides). */
export interface UpstreamReplicas {
  pick(serviceName: string, url: string): string
  failed(serviceName: string, url: string, replica: string): void
}

/**
 * The gateway's upstream transport: graphql-ws connections to subgraphs, one per (subgraph URL,
 * visibility), shared by every upstream subscription with that visibility, opened lazily and
 * disposed with its last subscription. Each connection authenticates with the viewer signed
 * afresh at every (re)connect — a signature is only fresh for a minute. The hub retries
 * subscriptions itself (from their cursors), so the client does not.
 */
export class UpstreamClients implements UpstreamTransport {
  private readonly connections = new Map<string, Connection>()

  constructor(
    private readonly signingSecret: string,
    private readonly replicas?: UpstreamReplicas,
  ) {}

  subscribe(request: UpstreamRequest, sink: UpstreamSink): () => void {
    const connection = this.acquire(request.serviceName, request.url, request.viewer)
    connection.sinks.add(sink)
    // graphql-ws completes a subscription after it is unsubscribed, and may report twice around a
    // close: the sink hears of nothing after the first end, as the transport contract says
    let done = false
    const finish = () => {
      if (done) return false
      done = true
      connection.sinks.delete(sink)
      return true
    }
    const unsubscribe = connection.client.subscribe(
      { query: request.query, variables: { ...request.variables }, ...(request.operationName ? { operationName: request.operationName } : {}) },
      {
        next: (result) => {
          if (!done) sink.next(result as ExecutionResult)
        },
        error: (error) => {
          if (!finish()) return
          this.release(connection)
          sink.error(error)
        },
        complete: () => {
          if (!finish()) return
          this.release(connection)
          sink.complete()
        },
      },
    )
    return () => {
      if (!finish()) return
      unsubscribe()
      this.release(connection)
    }
  }

  /** Closes every connection (the hub has unsubscribed everything by then). */
  async close(): Promise<void> {
    const all = [...this.connections.values()]
    this.connections.clear()
    await Promise.all(all.map(({ client }) => client.dispose()))
  }

  private acquire(serviceName: string, url: string, viewer: Viewer): Connection {
    const key = `${url}\u0000${JSON.stringify(viewer)}`
    const known = this.connections.get(key)
    if (known) return known
    // the replica is chosen at every (re)connect: after one dies, the hub's resubscription lands on another
    let replica = url
    const client = createClient({
      url: () => {
        replica = this.replicas?.pick(serviceName, url) ?? url
        return replica.replace(/^http/, 'ws')
      },
      webSocketImpl: WebSocket,
      lazy: true,
      retryAttempts: 0,
      keepAlive: 10_000,
      // connection_init has no body: the signature covers the connection_init marker instead
      connectionParams: () => ({ headers: { [VIEWER_HEADER]: signViewer(viewer, this.signingSecret, CONNECTION_INIT_BODY) } }),
    })
    const connection: Connection = { key, client, sinks: new Set() }
    client.on('error', () => this.replicas?.failed(serviceName, url, replica))
    client.on('connected', () => {
      for (const sink of [...connection.sinks]) sink.connected()
    })
    this.connections.set(key, connection)
    return connection
  }

  private release(connection: Connection): void {
    if (connection.sinks.size > 0 || this.connections.get(connection.key) !== connection) return
    this.connections.delete(connection.key)
    void connection.client.dispose()
  }
}
